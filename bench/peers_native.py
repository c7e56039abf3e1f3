#!/usr/bin/env python3
"""gradlab against PyTorch eager on the same CPU, the same jobs, 1 and 2 threads.

Each job is timed on both sides in alternating rounds (gradlab, PyTorch, gradlab, ...)
so that a noisy, shared machine slows both alike; the table gives the median of each
side and their ratio. gradlab runs as `gradlab bench --job NAME --json` (it times its
own steps, so process start-up is not counted) with GRADLAB_THREADS set; PyTorch runs
in this process with torch.set_num_threads.

The jobs match gradlab's `bench::PEER_JOBS`: MLPs trained with Adam (lr 1e-3) on
softmax cross-entropy, batches drawn from a shuffled training split, and square
matmuls; and `bench::PRESET_JOBS`, two lab presets as the lab trains them:
`gpt-small` is `shakespeare-char` (a 2-layer, 64-wide pre-LN character GPT, context 32,
batch 10, AdamW with clipping, warmup and cosine decay; tokens/s) and `cnn-mnist` is
`mnist-cnn` (the LeNet-like net on 28x28 images, batch 64, Adam; images/s). Data values
do not change the timings; shapes do, and they are the same (random token ids of the
same vocabulary, random images).

usage: python3 bench/peers_native.py [--gradlab target/release/gradlab] [--rounds 3]
                                     [--threads 1,2] [--jobs a,b] [--json]
"""

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time

JOBS = {
    # name: (widths, activation, batch, train rows)
    "mlp-small-b32": ([2, 16, 16, 2], "tanh", 32, 1000),
    "mlp-small-full": ([2, 16, 16, 2], "tanh", 1000, 1000),
    "mlp-big-b256": ([64, 256, 256, 10], "relu", 256, 1348),
}
MATMULS = {"matmul-256": 256, "matmul-1024": 1024}
# gradlab's `shakespeare-char` preset (src/experiment/presets_text.rs): the vocabulary is
# tiny Shakespeare's 65 characters plus one id for unknown characters.
GPT = dict(vocab=66, width=64, context=32, layers=2, heads=4, batch=10, lr=3e-3,
           min_lr=3e-4, betas=(0.9, 0.99), weight_decay=0.1, clip=1.0, warmup=100,
           decay_steps=1500, text_len=1_003_854)
# gradlab's `mnist-cnn` preset (src/experiment/presets.rs): 8,000 training images.
CNN = dict(batch=64, lr=2e-3, train_rows=8000, dropout=0.3)
MODELS = {"gpt-small": "tokens/s", "cnn-mnist": "images/s"}
MIN_SECONDS = 1.0


def gradlab_rate(binary, job, threads):
    env = dict(os.environ, GRADLAB_THREADS=str(threads))
    out = subprocess.run(
        [binary, "bench", "--job", job, "--json", "--backend", "cpu"],
        env=env, check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out)["rows"][0]["value"]


def shuffled_step(torch, model, opt, x, y, batch, gen):
    """One optimizer step of softmax cross-entropy on the next `batch` rows of a shuffled
    pass over (x, y), reshuffled when a pass ends (as gradlab draws its batches)."""
    rows = x.shape[0]
    loss_fn = torch.nn.CrossEntropyLoss()
    order, at = torch.randperm(rows, generator=gen), 0

    def step():
        nonlocal order, at
        if at + batch > rows:
            order, at = torch.randperm(rows, generator=gen), 0
        idx = order[at:at + batch]
        at += batch
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        opt.step()

    return step


def torch_mlp_rate(torch, widths, activation, batch, rows):
    gen = torch.Generator().manual_seed(0)
    layers = []
    for i, (a, b) in enumerate(zip(widths, widths[1:])):
        layers.append(torch.nn.Linear(a, b))
        if i < len(widths) - 2:
            layers.append(torch.nn.Tanh() if activation == "tanh" else torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(rows, widths[0], generator=gen)
    y = torch.randint(0, widths[-1], (rows,), generator=gen)
    return steps_per_s(shuffled_step(torch, model, opt, x, y, batch, gen))


def steps_per_s(step):
    """Ten warm-up steps, then steps in tens for at least MIN_SECONDS (and 20 steps),
    as `gradlab bench` times its own."""
    for _ in range(10):
        step()
    steps, t0 = 0, time.perf_counter()
    while steps < 20 or time.perf_counter() - t0 < MIN_SECONDS:
        for _ in range(10):
            step()
        steps += 10
    return steps / (time.perf_counter() - t0)


def torch_gpt_rate(torch):
    """Tokens/s of shakespeare-char's GPT: token embedding and learned positions, pre-LN
    blocks (causal nn.MultiheadAttention, then a 4x GELU MLP, each with its residual),
    final layer norm, dense head; cross-entropy on every position; AdamW as the preset
    (decay 0.1 on matrices, embeddings included, as gradlab's decay_matrices_only),
    gradient clipping at 1.0 and warmup then cosine decay of the learning rate."""
    nn, g = torch.nn, GPT
    gen = torch.Generator().manual_seed(0)
    width, ctx = g["width"], g["context"]

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1, self.ln2 = nn.LayerNorm(width), nn.LayerNorm(width)
            self.attn = nn.MultiheadAttention(width, g["heads"], batch_first=True)
            self.mlp = nn.Sequential(nn.Linear(width, 4 * width),
                                     nn.GELU(approximate="tanh"),
                                     nn.Linear(4 * width, width))

        def forward(self, x, mask):
            h = self.ln1(x)
            x = x + self.attn(h, h, h, attn_mask=mask, need_weights=False,
                              is_causal=True)[0]
            return x + self.mlp(self.ln2(x))

    class Gpt(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(g["vocab"], width)
            self.pos = nn.Parameter(torch.randn(ctx, width, generator=gen) * 0.02)
            self.blocks = nn.ModuleList(Block() for _ in range(g["layers"]))
            self.ln = nn.LayerNorm(width)
            self.head = nn.Linear(width, g["vocab"])

        def forward(self, ids, mask):
            x = self.embed(ids) + self.pos
            for block in self.blocks:
                x = block(x, mask)
            return self.head(self.ln(x))

    model = Gpt()
    params = list(model.parameters())
    groups = [{"params": [p for p in params if p.dim() >= 2],
               "weight_decay": g["weight_decay"]},
              {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}]
    opt = torch.optim.AdamW(groups, lr=g["lr"], betas=g["betas"])

    def lr_factor(step):
        if step < g["warmup"]:
            return (step + 1) / g["warmup"]
        t = min(1.0, (step - g["warmup"]) / max(1, g["decay_steps"] - g["warmup"]))
        low = g["min_lr"] / g["lr"]
        return low + (1 - low) * 0.5 * (1 + math.cos(math.pi * t))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_factor)
    mask = torch.triu(torch.ones(ctx, ctx, dtype=torch.bool), diagonal=1)
    text = torch.randint(0, g["vocab"], (g["text_len"],), generator=gen)
    window = torch.arange(ctx + 1)
    loss_fn = nn.CrossEntropyLoss()

    def step():
        starts = torch.randint(0, g["text_len"] - ctx - 1, (g["batch"], 1), generator=gen)
        chunk = text[starts + window]
        x, y = chunk[:, :-1], chunk[:, 1:]
        opt.zero_grad(set_to_none=True)
        logits = model(x, mask)
        loss = loss_fn(logits.reshape(-1, g["vocab"]), y.reshape(-1))
        loss.backward()
        nn.utils.clip_grad_norm_(params, g["clip"])
        opt.step()
        sched.step()

    return steps_per_s(step) * g["batch"] * ctx


def torch_cnn_rate(torch):
    """Images/s of mnist-cnn: conv(8,5,pad 2), relu, maxpool 2, conv(16,5), relu,
    maxpool 2, flatten, dropout 0.3, dense 64, relu, dropout 0.3, dense 10; Adam at
    2e-3; batches of 64 from a shuffled 8,000-image split."""
    nn, c = torch.nn, CNN
    gen = torch.Generator().manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 8, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Dropout(c["dropout"]), nn.Linear(16 * 5 * 5, 64), nn.ReLU(),
        nn.Dropout(c["dropout"]), nn.Linear(64, 10))
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=c["lr"])
    rows, batch = c["train_rows"], c["batch"]
    x = torch.rand(rows, 1, 28, 28, generator=gen)
    y = torch.randint(0, 10, (rows,), generator=gen)
    return steps_per_s(shuffled_step(torch, model, opt, x, y, batch, gen)) * batch


def torch_matmul_rate(torch, n):
    a, b = torch.randn(n, n), torch.randn(n, n)
    torch.mm(a, b)
    reps, t0 = 0, time.perf_counter()
    while reps < 3 or time.perf_counter() - t0 < MIN_SECONDS:
        torch.mm(a, b)
        reps += 1
    return 2.0 * n**3 * reps / (time.perf_counter() - t0) / 1e9


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gradlab", default="target/release/gradlab")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--jobs", default="", help="only these jobs (comma-separated)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    threads = [int(t) for t in args.threads.split(",") if t.strip()]
    every = list(JOBS) + list(MODELS) + list(MATMULS)
    chosen = [j.strip() for j in args.jobs.split(",") if j.strip()] or every
    unknown = [j for j in chosen if j not in every]
    if unknown:
        ap.error(f"unknown job(s) {', '.join(unknown)} (jobs: {', '.join(every)})")
    try:
        import torch
    except ImportError:
        torch = None
    rows, notes = [], []
    if torch is None:
        notes.append("PyTorch is not installed (pip install torch): gradlab side only")
    else:
        notes.append(f"PyTorch {torch.__version__}, eager, CPU")
    for t in threads:
        if torch is not None:
            torch.set_num_threads(t)
        for job in chosen:
            ours, theirs = [], []
            for _ in range(args.rounds):
                ours.append(gradlab_rate(args.gradlab, job, t))
                if torch is None:
                    continue
                if job in JOBS:
                    theirs.append(torch_mlp_rate(torch, *JOBS[job]))
                elif job == "gpt-small":
                    theirs.append(torch_gpt_rate(torch))
                elif job == "cnn-mnist":
                    theirs.append(torch_cnn_rate(torch))
                else:
                    theirs.append(torch_matmul_rate(torch, MATMULS[job]))
            g = statistics.median(ours)
            p = statistics.median(theirs) if theirs else None
            unit = "GFLOP/s" if job in MATMULS else MODELS.get(job, "steps/s")
            rows.append({"job": job, "threads": t, "unit": unit, "gradlab": g,
                         "pytorch": p, "ratio": g / p if p else None})
    if args.json:
        print(json.dumps({"rows": rows, "notes": notes}, indent=2))
        return
    print(f"{'job':16} {'threads':>7} {'gradlab':>10} {'pytorch':>10} {'ratio':>7}  unit")
    for r in rows:
        p = f"{r['pytorch']:10.1f}" if r["pytorch"] else f"{'-':>10}"
        q = f"{r['ratio']:6.2f}x" if r["ratio"] else f"{'-':>7}"
        print(f"{r['job']:16} {r['threads']:7d} {r['gradlab']:10.1f} {p} {q}  {r['unit']}")
    for n in notes:
        print(f"note: {n}")
    print(f"note: medians of {args.rounds} alternating rounds; ratio = gradlab / PyTorch")


if __name__ == "__main__":
    sys.exit(main())
