"""PyTorch contender of `pnpm run bench pipeline`: a whole process that does what
`pnpm run pipeline mnist-relu` does, in PyTorch. It reads the same MNIST files
(the embedded IDX files), splits them as the pipeline does (the first training
examples, validation = training images 50,000-59,999, the official test set),
trains the flagship net (784-1000-1000-1000-10, sign-alternating rectifier,
Glorot uniform weights and zero biases, softmax cross-entropy plus L1 on the
hidden activations, plain SGD over a fresh shuffle each epoch) and evaluates
validation and test after every epoch in chunks. Its numbers are its own (its
own seeded draws); the bench compares wall time. Prints one JSON line."""
import json
import math
import sys
import time

import numpy as np
import torch

job = json.loads(sys.argv[1])
torch.set_num_threads(job["threads"])
torch.manual_seed(job["seed"])
sizes = [784, 1000, 1000, 1000, 10]
TRAIN_COUNT = 50_000


def idx(name, dimensions):
    """An IDX file's values after its header (magic number, then one 4-byte size per dimension)."""
    return np.fromfile(f"{job['mnist']}/{name}", dtype=np.uint8)[4 + 4 * dimensions:]


train_images = torch.from_numpy(idx("train-images-idx3-ubyte", 3).reshape(-1, 784).astype(np.float32) / 255)
train_labels = torch.from_numpy(idx("train-labels-idx1-ubyte", 1).astype(np.int64))
test_images = torch.from_numpy(idx("t10k-images-idx3-ubyte", 3).reshape(-1, 784).astype(np.float32) / 255)
test_labels = torch.from_numpy(idx("t10k-labels-idx1-ubyte", 1).astype(np.int64))
n, e = job["trainSize"], job["evaluationSize"]
x, y = train_images[:n], train_labels[:n]
validation = (train_images[TRAIN_COUNT:TRAIN_COUNT + e], train_labels[TRAIN_COUNT:TRAIN_COUNT + e])
test = (test_images[:e], test_labels[:e])

params = []
for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
    r = math.sqrt(6 / (fan_in + fan_out))
    params.append(torch.empty(fan_in, fan_out).uniform_(-r, r).requires_grad_())
    params.append(torch.zeros(fan_out, requires_grad=True))
signs = torch.tensor([1.0 if j % 2 == 0 else -1.0 for j in range(1000)])
optimizer = torch.optim.SGD(params, lr=job["learningRate"])


def forward(h):
    hidden = []
    for i in range(0, len(params) - 2, 2):
        h = torch.relu(h @ params[i] + params[i + 1]) * signs
        hidden.append(h)
    return hidden, h @ params[-2] + params[-1]


def error(images, labels, chunk):
    wrong = 0
    with torch.no_grad():
        for start in range(0, len(labels), chunk):
            _, logits = forward(images[start:start + chunk])
            wrong += int((logits.argmax(dim=1) != labels[start:start + chunk]).sum())
    return wrong / len(labels)


batch, l1 = job["batch"], job["l1"]
epochs = []
for epoch in range(job["epochs"]):
    started = time.perf_counter()
    order = torch.randperm(n)
    total, steps = 0.0, 0
    for start in range(0, n, batch):
        rows = order[start:start + batch]
        hidden, logits = forward(x[rows])
        loss = torch.nn.functional.cross_entropy(logits, y[rows])
        loss = loss + (l1 / len(rows)) * sum(h.abs().sum() for h in hidden)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        total += float(loss)
        steps += 1
    trained = time.perf_counter()
    epochs.append({
        "trainLoss": total / steps,
        "validationError": error(*validation, job["evaluationBatch"]),
        "testError": error(*test, job["evaluationBatch"]),
        "trainSeconds": trained - started,
        "seconds": time.perf_counter() - started,
    })
best = min(epochs, key=lambda epoch: epoch["validationError"])
print(json.dumps({
    "testError": best["testError"],
    "validationError": best["validationError"],
    "epochs": epochs,
    "details": {"torch": torch.__version__, "threads": torch.get_num_threads()},
}))
