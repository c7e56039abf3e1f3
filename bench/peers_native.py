#!/usr/bin/env python3
"""gradlab against PyTorch eager on the same CPU, the same jobs, 1 and 2 threads.

Each job is timed on both sides in alternating rounds (gradlab, PyTorch, gradlab, ...)
so that a noisy, shared machine slows both alike; the table gives the median of each
side and their ratio. gradlab runs as `gradlab bench --job NAME --json` (it times its
own steps, so process start-up is not counted) with GRADLAB_THREADS set; PyTorch runs
in this process with torch.set_num_threads.

The jobs match gradlab's `bench::PEER_JOBS`: MLPs trained with Adam (lr 1e-3) on
softmax cross-entropy, batches drawn from a shuffled training split, and square
matmuls. Data values do not change the timings; shapes do, and they are the same.

usage: python3 bench/peers_native.py [--gradlab target/release/gradlab] [--rounds 3]
                                     [--threads 1,2] [--json]
"""

import argparse
import json
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
MIN_SECONDS = 1.0


def gradlab_rate(binary, job, threads):
    env = dict(os.environ, GRADLAB_THREADS=str(threads))
    out = subprocess.run(
        [binary, "bench", "--job", job, "--json", "--backend", "cpu"],
        env=env, check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out)["rows"][0]["value"]


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

    for _ in range(10):
        step()
    steps, t0 = 0, time.perf_counter()
    while steps < 20 or time.perf_counter() - t0 < MIN_SECONDS:
        for _ in range(10):
            step()
        steps += 10
    return steps / (time.perf_counter() - t0)


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
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    threads = [int(t) for t in args.threads.split(",") if t.strip()]
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
        for job in list(JOBS) + list(MATMULS):
            ours, theirs = [], []
            for _ in range(args.rounds):
                ours.append(gradlab_rate(args.gradlab, job, t))
                if torch is None:
                    continue
                if job in JOBS:
                    theirs.append(torch_mlp_rate(torch, *JOBS[job]))
                else:
                    theirs.append(torch_matmul_rate(torch, MATMULS[job]))
            g = statistics.median(ours)
            p = statistics.median(theirs) if theirs else None
            unit = "GFLOP/s" if job in MATMULS else "steps/s"
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
