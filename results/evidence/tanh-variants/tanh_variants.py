"""Table 1's tanh cell (3 x 1000 tanh, no pre-training, minibatch 10, plain SGD,
Glorot uniform weights, zero biases, 50k/10k/10k MNIST) trained in PyTorch under
variants that the paper leaves open: input scaling, the output layer's
initialisation and rates between the paper's grid points. Many nets train at
once, stacked along a leading axis (one batched product per layer), each with
its own seed, shuffles and rate; gradients are written out by hand so that a
whole step is one CUDA graph. Each net follows the paper protocol's stopping
rule (best validation epoch, patience 10, at most 50 epochs). Peer evidence,
not our engine: its numbers are PyTorch's own draws.

  python3 tanh_variants.py <mnist folder> <out.json> [--device cuda] [--train N] [--epochs N] [--seconds S]
      [--variant NAME ...] [--seeds 1,2,3] [--threads T]

Every net of one seed draws from the same generator (seeded by the seed alone), so the variants of
a seed start from the same weights and see the same minibatches: a variant's difference from the
base of its seed is the variant's, not the draws'. A subset of variants (`--variant`, repeatable)
gives each net the same draws as the full run.
"""
import argparse
import json
import math
import time

import numpy as np
import torch

parser = argparse.ArgumentParser()
parser.add_argument("mnist")
parser.add_argument("out")
parser.add_argument("--device", default="cuda")
parser.add_argument("--train", type=int, default=50_000)
parser.add_argument("--evaluate", type=int, default=10_000)
parser.add_argument("--epochs", type=int, default=50)
parser.add_argument("--patience", type=int, default=10)
parser.add_argument("--seeds", default="1,2,3")
parser.add_argument("--seconds", type=float, default=330, help="wall-time limit; the record says where it stopped")
parser.add_argument("--variant", action="append", help="train only this variant (repeatable; default all)")
parser.add_argument("--threads", type=int, default=0, help="CPU threads for PyTorch (default: its own choice)")
args = parser.parse_args()
device = torch.device(args.device)
if args.threads > 0:
    torch.set_num_threads(args.threads)
torch.backends.cuda.matmul.allow_tf32 = False  # plain fp32 products, as on the CPU
BATCH, SIZES, TRAIN_COUNT = 10, [784, 1000, 1000, 1000, 10], 50_000

# variant name -> (input scaling, output layer init, learning rate)
VARIANTS = {
    "base lr 0.1": ("unit", "glorot", 0.1),
    "base lr 0.03": ("unit", "glorot", 0.03),
    "base (Table 1: [0,1] inputs, lr 0.01)": ("unit", "glorot", 0.01),
    "base lr 0.003": ("unit", "glorot", 0.003),
    "inputs [-1,1] lr 0.1": ("signed", "glorot", 0.1),
    "inputs [-1,1] lr 0.03": ("signed", "glorot", 0.03),
    "inputs [-1,1] lr 0.01": ("signed", "glorot", 0.01),
    "inputs [-1,1] lr 0.003": ("signed", "glorot", 0.003),
    "inputs centred lr 0.03": ("centred", "glorot", 0.03),
    "inputs centred lr 0.01": ("centred", "glorot", 0.01),
    "output layer zero lr 0.01": ("unit", "zero", 0.01),
    "inputs [-1,1], output layer zero lr 0.01": ("signed", "zero", 0.01),
}
unknown = sorted(set(args.variant or []) - set(VARIANTS))
if unknown:
    parser.error(f"--variant: no variant named {unknown}; the variants are {list(VARIANTS)}")
seeds = [int(s) for s in args.seeds.split(",")]
nets = [(name, seed) for name in VARIANTS if not args.variant or name in args.variant for seed in seeds]
K = len(nets)


def idx(name, dimensions):
    """An IDX file's values after its header (magic number, then one 4-byte size per dimension)."""
    return np.fromfile(f"{args.mnist}/{name}", dtype=np.uint8)[4 + 4 * dimensions:]


train_images = torch.from_numpy(idx("train-images-idx3-ubyte", 3).reshape(-1, 784).astype(np.float32) / 255)
train_labels = torch.from_numpy(idx("train-labels-idx1-ubyte", 1).astype(np.int64))
test_images = torch.from_numpy(idx("t10k-images-idx3-ubyte", 3).reshape(-1, 784).astype(np.float32) / 255)
test_labels = torch.from_numpy(idx("t10k-labels-idx1-ubyte", 1).astype(np.int64))
n, e = args.train, args.evaluate
mean = train_images[:TRAIN_COUNT].mean(dim=0)
scalings = {"unit": lambda x: x, "signed": lambda x: 2 * x - 1, "centred": lambda x: x - mean}
splits = {
    "train": (train_images[:n], train_labels[:n]),
    "validation": (train_images[TRAIN_COUNT:TRAIN_COUNT + e], train_labels[TRAIN_COUNT:TRAIN_COUNT + e]),
    "test": (test_images[:e], test_labels[:e]),
}
scaling_of = sorted({VARIANTS[name][0] for name, _ in nets})
# images[split][scaling] on the device; each net reads the copy of its scaling
images = {s: {c: scalings[c](x).to(device) for c in scaling_of} for s, (x, _) in splits.items()}
labels = {s: y.to(device) for s, (_, y) in splits.items()}
scaling_index = torch.tensor([scaling_of.index(VARIANTS[name][0]) for name, _ in nets], device=device)
stacked_train = torch.stack([images["train"][c] for c in scaling_of])  # [scalings, n, 784]

generators = [torch.Generator().manual_seed(seed) for _, seed in nets]
weights, biases = [], []
for layer, (fan_in, fan_out) in enumerate(zip(SIZES[:-1], SIZES[1:])):
    r = math.sqrt(6 / (fan_in + fan_out))
    w = torch.stack([torch.empty(fan_in, fan_out).uniform_(-r, r, generator=g) for g in generators])
    if layer == len(SIZES) - 2:
        for k, (name, _) in enumerate(nets):
            if VARIANTS[name][1] == "zero":
                w[k].zero_()
    weights.append(w.to(device))
    biases.append(torch.zeros(K, 1, fan_out, device=device))
rates = torch.tensor([VARIANTS[name][2] for name, _ in nets], device=device).view(K, 1, 1)
batch_rows = torch.zeros(K, BATCH, dtype=torch.long, device=device)
loss_sum = torch.zeros(K, device=device)
net_rows = torch.arange(K, device=device).view(K, 1)


def forward(x):
    hidden = [x]
    for w, b in zip(weights[:-1], biases[:-1]):
        hidden.append(torch.tanh(torch.baddbmm(b, hidden[-1], w)))
    return hidden, torch.baddbmm(biases[-1], hidden[-1], weights[-1])


def step():
    """One SGD step of every net on its rows `batch_rows`: mean softmax cross-entropy, hand-written gradients."""
    x = stacked_train[scaling_index.view(K, 1), batch_rows]  # [K, B, 784]
    y = labels["train"][batch_rows]  # [K, B]
    hidden, logits = forward(x)
    log_p = torch.log_softmax(logits, dim=2)
    loss_sum.sub_(log_p.gather(2, y.unsqueeze(2)).squeeze(2).mean(dim=1))
    delta = (log_p.exp() - torch.nn.functional.one_hot(y, 10).float()) / BATCH
    for layer in range(len(weights) - 1, -1, -1):
        below = hidden[layer]
        weight_gradient = torch.bmm(below.transpose(1, 2), delta)
        bias_gradient = delta.sum(dim=1, keepdim=True)
        if layer > 0:
            delta = torch.bmm(delta, weights[layer].transpose(1, 2)) * (1 - below * below)
        weights[layer].sub_(rates * weight_gradient)
        biases[layer].sub_(rates * bias_gradient)


def errors(split):
    wrong = torch.zeros(K, device=device)
    with torch.no_grad():
        for start in range(0, e, 1000):
            x = torch.stack([images[split][c][start:start + 1000] for c in scaling_of])[scaling_index]
            _, logits = forward(x)
            wrong += (logits.argmax(dim=2) != labels[split][start:start + 1000]).float().sum(dim=1)
    return (wrong / e).tolist()


graph = None
if device.type == "cuda":
    # Capture one step; the warm-up steps run on copies that are put back before training.
    saved = [t.clone() for t in weights + biases]
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for _ in range(3):
            step()
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        step()
    for t, s in zip(weights + biases, saved):
        t.copy_(s)
    del saved

def write(stop_reason):
    """The record so far: each net's curve and the protocol's pick (best validation epoch before it stopped)."""
    runs = []
    for k, (name, seed) in enumerate(nets):
        best_epoch = best[k][1]
        chosen = curves[k][best_epoch - 1]
        runs.append({
            "variant": name, "seed": seed, "inputs": VARIANTS[name][0], "outputInit": VARIANTS[name][1],
            "learningRate": VARIANTS[name][2], "bestEpoch": best_epoch, "stoppedAt": stopped_at[k],
            "validationError": chosen["validationError"], "testError": chosen["testError"], "curve": curves[k],
        })
    with open(args.out, "w") as out:
        json.dump({
            "stopReason": stop_reason, "seconds": time.perf_counter() - started, "graph": graph is not None,
            "torch": torch.__version__, "device": torch.cuda.get_device_name() if device.type == "cuda" else "cpu",
            "train": n, "evaluate": e, "runs": runs,
        }, out, indent=1)



started = time.perf_counter()
curves = [[] for _ in nets]
stopped_at = [None] * K
best = [(math.inf, 0)] * K
stop_reason = "every net met its stopping rule"
for epoch in range(1, args.epochs + 1):
    epoch_started = time.perf_counter()
    orders = torch.stack([torch.randperm(n, generator=g) for g in generators]).to(device)
    loss_sum.zero_()
    steps = n // BATCH
    for s in range(steps):
        batch_rows.copy_(orders[:, s * BATCH:(s + 1) * BATCH])
        graph.replay() if graph is not None else step()
    losses = (loss_sum / steps).tolist()
    validation, test = errors("validation"), errors("test")
    for k in range(K):
        curves[k].append({"epoch": epoch, "trainLoss": losses[k], "validationError": validation[k], "testError": test[k]})
        if stopped_at[k] is None:
            if validation[k] < best[k][0]:
                best[k] = (validation[k], epoch)
            elif epoch - best[k][1] >= args.patience:
                stopped_at[k] = epoch
    write(f"running: {epoch} epochs done")
    print(f"epoch {epoch} {time.perf_counter() - epoch_started:.1f}s, running {sum(s is None for s in stopped_at)} of {K}", flush=True)
    if all(s is not None for s in stopped_at):
        break
    if time.perf_counter() - started > args.seconds:
        stop_reason = f"wall-time limit {args.seconds} s after epoch {epoch}"
        break

write(stop_reason)
