"""Train a gradlab experiment with PyTorch, the way gradlab trains it.

Written by `gradlab export`. Beside this file:
  data.safetensors  the train and test rows after gradlab's preprocessing (feature map,
                    split, standardisation, padded token ids), in gradlab's row order;
                    for a language model the training text's token ids and the fixed
                    evaluation windows; for a translator the source ids and the
                    decoder's input in a row, the next target ids (-1: padding)
  init.safetensors  the initial weights gradlab drew, with gradlab's parameter names
  README.md         how to run this on a CPU, a GPU and a cluster

Run it as `python train.py`, or under `torchrun --nproc_per_node=N train.py` for
DistributedDataParallel: every rank takes its share of each global batch, and the loss is
the global batch mean, so N processes train the same model as one.
Outputs (in --out): metrics.json and model.safetensors in gradlab's layout (`gradlab
predict --model model.safetensors` and the page's model import read it), checkpoint.pt.
"""

import argparse
import hashlib
import json
import math
import os
import struct
import time

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel

HERE = os.path.dirname(os.path.abspath(__file__))

# ----------------------------------------------------------------------------- experiment
# The experiment as gradlab ran it. Change these freely; the command-line flags override
# the budget, batch size and learning rate without editing.
{{SETTINGS}}


# ----------------------------------------------------------------------------- model
def f32(x):
    """A Python float rounded to float32, as gradlab holds its numbers."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


def run_layers(layers, x, mask):
    """Each layer in turn; attention, mean pooling and residual blocks also get the key
    padding mask (None when the model has none)."""
    for layer in layers:
        x = layer(x, mask) if isinstance(layer, (Residual, SelfAttention, MeanPool)) else layer(x)
    return x


class Stack(nn.Sequential):
    """gradlab's layer stack. With `key_mask` (a model that starts with `embed` and has
    attention or mean pooling), token id 0 is padding: the mask `ids > 0` hides it from
    every attention layer's keys and from mean pooling."""

    def __init__(self, *layers, key_mask=False):
        super().__init__(*layers)
        self.key_mask = key_mask

    def forward(self, x):
        return run_layers(self, x, x > 0 if self.key_mask else None)


class Residual(nn.Sequential):
    """gradlab's `res(...)`: x + body(x); the body's layers keep their index as name."""

    def forward(self, x, mask=None):
        return x + run_layers(self, x, mask)


class TokenEmbedding(nn.Embedding):
    """gradlab's `embed(V, D)`: token ids arrive as exact whole numbers in float rows."""

    def forward(self, x):
        return super().forward(x.long())


class Position(nn.Module):
    """gradlab's `pos(T)`: a learned position table [T, D], its first L rows added to a
    sequence [B, L, D]."""

    def __init__(self, max_len, dim):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(max_len, dim))

    def forward(self, x):
        return x + self.weight[: x.shape[1]]


def attend(q, k, v, heads, causal, mask):
    """Multi-head scaled dot-product attention of queries q [B, Tq, D] over keys k and
    values v [B, Tk, D], written with plain tensor ops so that hidden positions get
    exactly zero weight, as in gradlab: a causal query i sees keys j <= i + Tk - Tq,
    padding keys (mask [B, Tk] False) are never seen, and a query that sees no key at all
    gets zeros."""
    b, tq, d = q.shape
    tk, h = k.shape[1], heads
    # (B, T, D) -> (B, H, T, D/H)
    q = q.reshape(b, tq, h, d // h).transpose(1, 2)
    k, v = (z.reshape(b, tk, h, d // h).transpose(1, 2) for z in (k, v))
    scores = (q @ k.transpose(2, 3)) * f32(1.0 / f32(math.sqrt(d // h)))  # (B, H, Tq, Tk)
    visible = torch.ones(tq, tk, dtype=torch.bool, device=q.device)
    if causal:
        visible = visible.tril(tk - tq)
    if mask is not None:
        visible = visible & mask[:, None, None, :]
    weights = torch.softmax(scores.masked_fill(~visible, float("-inf")), dim=3)
    weights = weights.masked_fill(~visible, 0.0)  # a row with no visible key: zeros
    return (weights @ v).transpose(1, 2).reshape(b, tq, d)


class SelfAttention(nn.Module):
    """gradlab's `attn(H[, causal])`: multi-head scaled dot-product self-attention with
    nn.MultiheadAttention's parameter names (in_proj_weight [3D, D] holds the query, key
    and value projections in that order; out_proj); see `attend`."""

    def __init__(self, dim, heads, causal):
        super().__init__()
        self.heads, self.causal = heads, causal
        self.in_proj_weight = nn.Parameter(torch.empty(3 * dim, dim))
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * dim))
        self.out_proj = nn.Linear(dim, dim)

    def forward(self, x, mask=None):
        q, k, v = F.linear(x, self.in_proj_weight, self.in_proj_bias).split(x.shape[2], dim=2)
        return self.out_proj(attend(q, k, v, self.heads, self.causal, mask))


class MeanPool(nn.Module):
    """gradlab's `meanpool`: [B, L, D] -> [B, D], the mean over the non-padding positions
    (over all of them without a mask; a row of padding only gives zeros)."""

    def forward(self, x, mask=None):
        if mask is None:
            return x.mean(dim=1)
        m = mask.to(x.dtype)
        return (x * m[:, :, None]).sum(dim=1) / m.sum(dim=1, keepdim=True).clamp(min=1.0)


class Unembed(nn.Module):
    """gradlab's `unembed`: the output head tied to the token embedding, x @ weight^T,
    [B, L, D] -> [B, L, V]. It owns no weight: the embedding's tensor is the only one (and
    its only name), so training updates one tensor as gradlab does."""

    def __init__(self, embedding):
        super().__init__()
        self.tied = (embedding,)  # a tuple, so the module is not registered twice

    def forward(self, x):
        return x @ self.tied[0].weight.t()


{{MODEL_CLASSES}}
def build_model():
    """The model with gradlab's parameter names (a layer stack's `0.weight`, `3.1.bias`,
    ...; the translator's `encoder.layers.0.self_attn.in_proj_weight`, ...)."""
{{MODEL}}


# ----------------------------------------------------------------------------- files
def read_safetensors(path):
    """A safetensors file of F32 tensors: ({name: tensor}, metadata). Values are
    little-endian, as on every machine PyTorch runs on."""
    with open(path, "rb") as f:
        raw = f.read()
    (size,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + size])
    metadata = header.pop("__metadata__", {})
    body = raw[8 + size :]
    tensors = {}
    for name, info in header.items():
        if info["dtype"] != "F32":
            raise ValueError(f"{path}: tensor {name} is {info['dtype']}, expected F32")
        start, end = info["data_offsets"]
        values = torch.frombuffer(bytearray(body[start:end]), dtype=torch.float32)
        tensors[name] = values.reshape(info["shape"])
    return tensors, metadata


def write_safetensors(path, tensors, metadata):
    """gradlab's layout: data in name order, the JSON header with sorted keys, padded
    with spaces to 8 bytes; the experiment in the metadata."""
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().to("cpu", torch.float32).contiguous().clone()
        blob = bytes(t.untyped_storage())
        header[name] = {
            "dtype": "F32",
            "shape": list(t.shape),
            "data_offsets": [offset, offset + len(blob)],
        }
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    text = text.encode()
    text += b" " * (-len(text) % 8)
    raw = struct.pack("<Q", len(text)) + text + b"".join(blobs)
    with open(path, "wb") as f:
        f.write(raw)
    return raw


# ----------------------------------------------------------------------------- batches
MASK64 = (1 << 64) - 1


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK64


class Rng:
    """gradlab's random stream (xoshiro256** seeded by SplitMix64), so the batch order
    is gradlab's, for any batch size and any number of steps."""

    def __init__(self, seed):
        self.s = []
        for _ in range(4):
            seed = (seed + 0x9E3779B97F4A7C15) & MASK64
            z = seed
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
            self.s.append(z ^ (z >> 31))

    @staticmethod
    def derive(seed, stream):
        """gradlab's independent stream for one purpose (4: the batch order)."""
        return Rng(seed ^ rotl((stream * 0xD1B54A32D192ED03) & MASK64, 17))

    def next_u64(self):
        s = self.s
        result = (rotl((s[1] * 5) & MASK64, 7) * 9) & MASK64
        t = (s[1] << 17) & MASK64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def below(self, n):
        """Uniform in [0, n): Lemire's multiply-shift with rejection."""
        if n <= 1:
            return 0
        threshold = ((1 << 64) - n) % n
        while True:
            m = self.next_u64() * n
            if m & MASK64 >= threshold:
                return m >> 64

    def permutation(self, n):
        """Fisher-Yates from the end, as gradlab shuffles."""
        p = list(range(n))
        for i in range(n - 1, 0, -1):
            j = self.below(i + 1)
            p[i], p[j] = p[j], p[i]
        return p


class BatchOrder:
    """A fresh seeded permutation of the training rows every epoch, cut into batches
    (the last one shorter), exactly as gradlab's runner takes them."""

    def __init__(self, rows, batch_size, seed):
        self.rows, self.batch_size = rows, batch_size
        self.rng = Rng.derive(seed, 4)
        self.epoch, self.next = [], 0

    def batches_per_epoch(self):
        return max(1, -(-self.rows // self.batch_size))

    def take(self):
        if self.next >= len(self.epoch):
            p = self.rng.permutation(self.rows)
            self.epoch = [p[i : i + self.batch_size] for i in range(0, self.rows, self.batch_size)]
            self.next = 0
        self.next += 1
        return self.epoch[self.next - 1]

    def state(self):
        return {"rng": list(self.rng.s), "epoch": self.epoch, "next": self.next}

    def restore(self, state):
        self.rng.s = list(state["rng"])
        self.epoch, self.next = state["epoch"], state["next"]


class WindowBatches:
    """A language model's batches, as gradlab's WindowStream draws them: batch k is
    `batch_size` window starts, each uniform in [0, len(tokens) - CONTEXT), from its own
    generator Rng.derive(stream seed, k), so the stream's whole state is k. Epochs are
    counted as gradlab counts them: over the rows of the fixed training evaluation
    windows."""

    def __init__(self, tokens, rows, batch_size, seed):
        self.tokens, self.rows, self.batch_size = tokens, rows, batch_size
        self.seed = Rng.derive(seed, 4).next_u64()
        self.k = 0

    def batches_per_epoch(self):
        return max(1, -(-self.rows // self.batch_size))

    def take(self):
        rng = Rng.derive(self.seed, self.k)
        self.k += 1
        return [rng.below(self.tokens - CONTEXT) for _ in range(self.batch_size)]

    def state(self):
        return {"k": self.k}

    def restore(self, state):
        self.k = state["k"]


def batch_rows(data, items):
    """Inputs and targets of a batch: for a language model, the windows of CONTEXT + 1
    training tokens that start at `items` (inputs the first CONTEXT, targets each next
    token); otherwise the training rows numbered `items`."""
    if TASK == "language-model":
        tokens = data["train_tokens"]
        starts = torch.tensor(items, dtype=torch.long, device=tokens.device)
        windows = tokens[starts[:, None] + torch.arange(CONTEXT + 1, device=tokens.device)]
        return windows[:, :-1], windows[:, 1:]
    rows = torch.tensor(items, dtype=torch.long, device=data["train_x"].device)
    return data["train_x"][rows], data["train_t"][rows]


def shard(indices, rank, world):
    """This rank's contiguous share of a global batch (shares differ by at most one row;
    a rank may get none when the batch is smaller than the world)."""
    n = len(indices)
    return indices[rank * n // world : (rank + 1) * n // world]


# ----------------------------------------------------------------------------- loss
def targets_of(y):
    """The training target rows: one-hot rows for classification, the values otherwise
    (for a language model: the next token ids)."""
    if TASK == "classification":
        return F.one_hot(y.long(), OUTPUTS).to(torch.float32)
    return y


def loss_sum(out, t):
    """The loss summed over rows (and over outputs for MSE and MAE; over every token for
    a language model; over the targets that are not padding, -1, for a translator):
    divided by the global count it is gradlab's mean loss."""
    out = out.float()
    if TASK == "language-model":
        return F.cross_entropy(out.reshape(-1, OUTPUTS), t.reshape(-1).long(), reduction="sum")
    if TASK == "translation":
        logits, ids = out.reshape(-1, OUTPUTS), t.reshape(-1).long()
        return F.cross_entropy(logits, ids, ignore_index=-1, reduction="sum")
    if LOSS == "cross-entropy":
        return -(F.log_softmax(out, dim=1) * t).sum()
    if LOSS == "mse":
        p = F.softmax(out, dim=1) if TASK == "classification" else out
        return (p - t).square().sum()
    return (out - t).abs().sum()


def loss_count(t):
    """What `loss_sum` over the target rows `t` is divided by for the mean: every token
    of a language model, every target that is not padding of a translator, the rows for
    cross-entropy, every output for MSE and MAE."""
    if TASK == "translation":
        return int((t >= 0).sum())
    if TASK == "language-model" or LOSS != "cross-entropy":
        return t.numel()
    return t.shape[0]


# ----------------------------------------------------------------------------- metrics
def classification_metrics(pred, truth):
    """Accuracy, precision, recall, F1 (class 1 of two; else the macro average over the
    classes that occur) and the confusion matrix (rows: truth), as gradlab reports."""
    k = OUTPUTS
    confusion = [[0] * k for _ in range(k)]
    for p, t in zip(pred, truth):
        if p < k and t < k:
            confusion[t][p] += 1
    ratio = lambda a, b: a / b if b else 0.0
    tps = [confusion[c][c] for c in range(k)]
    support = [sum(confusion[c]) for c in range(k)]
    predicted = [sum(row[c] for row in confusion) for c in range(k)]
    if k == 2:
        tp, fp, fn = tps[1], predicted[1] - tps[1], support[1] - tps[1]
        precision, recall, f1 = ratio(tp, tp + fp), ratio(tp, tp + fn), ratio(2 * tp, 2 * tp + fp + fn)
    else:
        present = [c for c in range(k) if support[c] + predicted[c] > 0]
        mean = lambda xs: ratio(sum(xs), len(present))
        precision = mean([ratio(tps[c], predicted[c]) for c in present])
        recall = mean([ratio(tps[c], support[c]) for c in present])
        f1 = mean([ratio(2 * tps[c], support[c] + predicted[c]) for c in present])
    accuracy = ratio(sum(p == t for p, t in zip(pred, truth)), len(truth))
    return {"accuracy": accuracy, "precision": precision, "recall": recall, "f1": f1, "confusion": confusion}


def regression_metrics(pred, truth):
    """MSE, MAE and R^2 in the targets' original units."""
    n = len(truth)
    mse = sum((p - t) ** 2 for p, t in zip(pred, truth)) / n
    mae = sum(abs(p - t) for p, t in zip(pred, truth)) / n
    mean = sum(truth) / n
    ss_tot = sum((t - mean) ** 2 for t in truth)
    ss_res = sum((t - p) ** 2 for p, t in zip(pred, truth))
    r2 = (1.0 if ss_res == 0 else 0.0) if ss_tot == 0 else 1 - ss_res / ss_tot
    return {"mse": mse, "mae": mae, "r2": r2}


def translation_metrics(model, x, out, truth):
    """A translator's exact match (the share of the rows whose greedy decoding of the
    source is the whole target, up to its end token) and token accuracy (the share of
    the targets that are not padding where the teacher-forced logits `out` [N, T, V]
    peak at the target; the lower id on a tie), as gradlab reports them."""
    counted = truth >= 0
    right = (out.argmax(dim=2) == truth.long()) & counted
    decoded = model.greedy(x[:, : model.source_len].long())
    exact = 0
    for seq, target in zip(decoded, truth.long().tolist()):
        wanted = []
        for i in target:
            if i <= 0 or i == model.end:
                break
            wanted.append(i)
        exact += seq == wanted
    metrics = {"exact_match": exact / len(decoded) if decoded else 0.0}
    if counted.any():  # gradlab leaves token accuracy out when no target counts
        metrics["token_accuracy"] = int(right.sum()) / int(counted.sum())
    return metrics


@torch.no_grad()
def mean_loss(model, x, t):
    """The mean loss over `x` and the outputs, in chunks of EVAL_CHUNK_ROWS rows
    weighted by their share of the rows, as gradlab evaluates."""
    n, outs, total = x.shape[0], [], 0.0
    for start in range(0, n, EVAL_CHUNK_ROWS):
        out = model(x[start : start + EVAL_CHUNK_ROWS]).float()
        rows = out.shape[0]
        part = loss_sum(out, t[start : start + rows]) / loss_count(t[start : start + rows])
        total += part.item() * (1.0 if rows == n else rows / n)
        outs.append(out)
    return total, torch.cat(outs)


def evaluate(model, data):
    """Train loss (first EVAL_TRAIN_ROWS rows), test loss and test metrics (first
    EVAL_TEST_ROWS rows)."""
    model.eval()
    train_loss, _ = mean_loss(model, data["train_x"][:EVAL_TRAIN_ROWS], data["train_t"][:EVAL_TRAIN_ROWS])
    test_x, test_t = data["test_x"][:EVAL_TEST_ROWS], data["test_t"][:EVAL_TEST_ROWS]
    test_loss, out = mean_loss(model, test_x, test_t)
    model.train()
    truth = data["test_y"][: out.shape[0]].cpu()
    if TASK == "language-model":
        # Bits per character and perplexity of the validation and training windows.
        metrics = {
            "bits_per_char": test_loss / math.log(2),
            "perplexity": math.exp(test_loss),
            "train_bits_per_char": train_loss / math.log(2),
            "train_perplexity": math.exp(train_loss),
        }
    elif TASK == "translation":
        metrics = translation_metrics(model, test_x.cpu(), out.cpu(), truth)
    elif TASK == "classification":
        metrics = classification_metrics(out.argmax(dim=1).tolist(), truth.long().tolist())
    else:
        out = out.cpu()
        if "y_std" in data:  # back to original units, in float32 as gradlab does
            out, truth = out * data["y_std"] + data["y_mean"], truth * data["y_std"] + data["y_mean"]
        metrics = regression_metrics(out.flatten().tolist(), truth.flatten().tolist())
    return {"train_loss": train_loss, "test_loss": test_loss, **metrics}


# ----------------------------------------------------------------------------- optimizer
def decay_groups(net):
    """AdamW's parameter groups, as gradlab decays: every parameter, or with
    `decay_matrices_only` the matrices only (2 or more axes: dense and conv weights,
    embedding tables), never biases or norm scales (nanoGPT's grouping); embedding and
    position tables only with `decay_embeddings`."""
    o = OPTIMIZER
    tables = {id(m.weight) for m in net.modules() if isinstance(m, (TokenEmbedding, Position))}
    decay, keep = [], []
    for p in net.parameters():
        shape_ok = p.dim() >= 2 or not o["decay_matrices_only"]
        (decay if shape_ok and (o["decay_embeddings"] or id(p) not in tables) else keep).append(p)
    groups = [{"params": decay}, {"params": keep, "weight_decay": 0.0}]
    return [g for g in groups if g["params"]]


def make_optimizer(net, lr):
    """gradlab's optimizer with its hyperparameters. L1 and L2 are added to the
    gradients by `add_penalties` (gradlab adds both to the gradient, also for AdamW)."""
    o, params = OPTIMIZER, list(net.parameters())
    if o["kind"] == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if o["kind"] == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=o["momentum"], nesterov=o["nesterov"])
    if o["kind"] == "adam":
        return torch.optim.Adam(params, lr=lr, betas=o["betas"], eps=o["eps"])
    if o["kind"] == "adamw":
        return torch.optim.AdamW(decay_groups(net), lr=lr, betas=o["betas"], eps=o["eps"], weight_decay=o["weight_decay"])
    raise ValueError(f"unknown optimizer {o['kind']!r}")


def lr_at(it, lr):
    """The learning rate of optimizer step `it` (0-based) for a peak of `lr`: constant,
    or nanoGPT's `get_lr`: linear warmup, cosine decay to min_lr at decay_steps, then
    min_lr. Computed as gradlab does: in double precision from the float32 settings,
    rounded to float32 once."""
    o = OPTIMIZER
    lr, min_lr = f32(lr), f32(o["min_lr"])
    if o["schedule"] == "constant":
        return lr
    warmup, decay = o["warmup_steps"], o["decay_steps"]
    if it < warmup:
        return f32(lr * (it + 1) / (warmup + 1))
    if it > decay or decay <= warmup:
        return min_lr if it > decay else lr
    ratio = (it - warmup) / (decay - warmup)
    return f32(min_lr + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (lr - min_lr))


@torch.no_grad()
def add_penalties(params):
    """g += l2 * p + l1 * sign(p), after clipping, as gradlab's update does."""
    for p in params:
        if p.grad is not None:
            if OPTIMIZER["l2"]:
                p.grad.add_(p, alpha=OPTIMIZER["l2"])
            if OPTIMIZER["l1"]:
                p.grad.add_(torch.sign(p), alpha=OPTIMIZER["l1"])


# ----------------------------------------------------------------------------- main
def parse_args():
    a = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    a.add_argument("--device", default="auto", help="cpu, cuda, cuda:N or auto (CUDA when there is one)")
    a.add_argument("--steps", type=int, help="optimizer steps (default: the experiment's budget)")
    a.add_argument("--batch-size", type=int, help="global batch size (default: the experiment's)")
    a.add_argument("--lr", type=float, help="learning rate (default: the experiment's)")
    a.add_argument("--amp", action="store_true", help="bf16 autocast on CUDA")
    a.add_argument("--compile", action="store_true", help="torch.compile the model")
    a.add_argument("--out", default=os.path.join(HERE, "out"), help="where the outputs go")
    a.add_argument("--checkpoint-every", type=int, default=0, help="save checkpoint.pt every N steps (0: at the end only)")
    a.add_argument("--resume", nargs="?", const="", metavar="CHECKPOINT", help="continue from a checkpoint (default: OUT/checkpoint.pt)")
    return a.parse_args()


def setup_distributed(device_flag):
    """(rank, world size, device); under torchrun, joins the process group (NCCL on
    CUDA, gloo on CPU)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank, local = int(os.environ.get("RANK", "0")), int(os.environ.get("LOCAL_RANK", "0"))
    if device_flag == "auto":
        device_flag = "cuda" if torch.cuda.is_available() else "cpu"
    device = torch.device(device_flag)
    if device.type == "cuda" and device.index is None:
        device = torch.device("cuda", local % torch.cuda.device_count())
    if device.type == "cuda":
        torch.cuda.set_device(device)
    if world > 1:
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return rank, world, device


def load_data(device):
    tensors, _ = read_safetensors(os.path.join(HERE, "data.safetensors"))
    data = {k: v.to(device) for k, v in tensors.items() if k.startswith(("train", "test"))}
    data["train_t"], data["test_t"] = targets_of(data["train_y"]), targets_of(data["test_y"])
    if "y_mean" in tensors:
        data["y_mean"], data["y_std"] = tensors["y_mean"], tensors["y_std"]
    return data


def thin(history):
    """Past MAX_HISTORY_POINTS, keep every second point (and the last), as gradlab."""
    if len(history) > MAX_HISTORY_POINTS:
        history[:] = [p for i, p in enumerate(history) if i % 2 == 0 or i == len(history) - 1]


def main():
    args = parse_args()
    rank, world, device = setup_distributed(args.device)
    torch.manual_seed(SEED)  # dropout masks: PyTorch's own stream (see README)
    data = load_data(device)
    batch_size = args.batch_size or BATCH_SIZE
    lr = args.lr if args.lr is not None else OPTIMIZER["lr"]

    net = build_model().to(device)
    init, metadata = read_safetensors(os.path.join(HERE, "init.safetensors"))
    net.load_state_dict(init)
    model = DistributedDataParallel(net) if world > 1 else net
    if args.compile:
        model = torch.compile(model)
    params = list(net.parameters())
    optimizer = make_optimizer(net, lr)

    if TASK == "language-model":
        order = WindowBatches(data["train_tokens"].shape[0], data["train_x"].shape[0], batch_size, SEED)
    else:
        order = BatchOrder(data["train_x"].shape[0], batch_size, SEED)
    per_epoch = order.batches_per_epoch()
    total = args.steps or (BUDGET_STEPS if BUDGET_STEPS is not None else BUDGET_EPOCHS * per_epoch)
    interval = EVAL_EVERY or per_epoch
    step, history, elapsed = 0, [], 0.0
    os.makedirs(args.out, exist_ok=True)
    checkpoint = os.path.join(args.out, "checkpoint.pt")
    if args.resume is not None:
        state = torch.load(args.resume or checkpoint, map_location=device)
        net.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        order.restore(state["order"])
        step, history, elapsed = state["step"], state["history"], state["elapsed_s"]

    def record():
        if not history or history[-1]["step"] != step:
            # Every rank evaluates the same weights; the plain module needs no collectives.
            history.append({"step": step, "epoch": step // per_epoch, **evaluate(net, data)})
            thin(history)
            if rank == 0:
                p = history[-1]
                print(f"step {step:>7}  train loss {p['train_loss']:.6f}  test loss {p['test_loss']:.6f}", flush=True)

    def save_checkpoint():
        if rank == 0:
            state = {"model": net.state_dict(), "optimizer": optimizer.state_dict(), "order": order.state(),
                     "step": step, "history": history, "elapsed_s": elapsed}
            torch.save(state, checkpoint + ".tmp")
            os.replace(checkpoint + ".tmp", checkpoint)

    amp = args.amp and device.type == "cuda"
    if args.amp and not amp and rank == 0:
        print("note: --amp applies on CUDA only; training in float32")
    start = time.time()
    record()
    while step < total:
        # The global batch in gradlab's order; this rank's share of it.
        batch = order.take()
        x, t = batch_rows(data, shard(batch, rank, world))
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp):
            out = model(x)
        # The global batch mean: divided by the whole batch's count (every rank holds the
        # data, so it needs no collective); DistributedDataParallel averages gradients
        # over ranks, so each rank's share is scaled by the world size.
        count = loss_count(t if world == 1 else batch_rows(data, batch)[1])
        loss = loss_sum(out, t) * (world / count)
        optimizer.zero_grad(set_to_none=False)
        loss.backward()
        if OPTIMIZER["clip_norm"] is not None:
            torch.nn.utils.clip_grad_norm_(params, OPTIMIZER["clip_norm"])
        add_penalties(params)
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step, lr)
        optimizer.step()
        step += 1
        if step % interval == 0 or step == total:
            record()
        if args.checkpoint_every and step % args.checkpoint_every == 0:
            save_checkpoint()
    elapsed += time.time() - start
    save_checkpoint()

    if rank == 0:
        config = json.loads(metadata["gradlab_config"])
        config.update(batch_size=batch_size, budget={"steps": total})
        config["optimizer"]["lr"] = lr
        metadata = {**metadata, "gradlab_config": json.dumps(config, separators=(",", ":"), ensure_ascii=False)}
        raw = write_safetensors(os.path.join(args.out, "model.safetensors"), net.state_dict(), metadata)
        last = history[-1]
        report = {
            "preset": EXPERIMENT,
            "backend": "pytorch",
            "device": f"{device} x {world}" if world > 1 else str(device),
            "steps": step,
            "epochs": step // per_epoch,
            "elapsed_s": elapsed,
            "steps_per_s": step / max(elapsed, 1e-9),
            "config": config,
            "history": history,
            "final": {k: v for k, v in last.items() if k not in ("step", "epoch")},
            "weights_sha256": hashlib.sha256(raw).hexdigest(),
        }
        with open(os.path.join(args.out, "metrics.json"), "w") as f:
            json.dump(report, f, indent=2)
        print(f"wrote {args.out}/metrics.json, model.safetensors, checkpoint.pt")
    if world > 1:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
