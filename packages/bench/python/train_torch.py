"""PyTorch reference for `pnpm run bench train`: the same MLP, initial weights,
hidden activation (model.json: the rectifier, its sign-alternating form, tanh
or softplus), data and step count as the TensorFlow.js backends (files written
by the bench), trained with torch.optim.SGD; with "flushSubnormals" in the job,
torch.set_flush_denormal(True) first. Prints one JSON line."""
import json
import resource
import sys
import time

import numpy as np
import torch

job = json.loads(sys.argv[1])
torch.set_num_threads(job["threads"])
torch.set_flush_denormal(bool(job.get("flushSubnormals", False)))
sizes = [784, 1000, 1000, 1000, 10]
d, batch, batches = job["dir"], job["batch"], job["batches"]


def load(name, shape):
    return torch.from_numpy(np.fromfile(f"{d}/{name}", dtype=np.float32).reshape(shape))


params = []
for i in range(len(sizes) - 1):
    params.append(load(f"w{i}.f32", (sizes[i], sizes[i + 1])).requires_grad_())
    params.append(load(f"b{i}.f32", (sizes[i + 1],)).requires_grad_())
x = load(f"x-{batch}.f32", (batches, batch, sizes[0]))
y = load(f"y-{batch}.f32", (batches, batch, 10)).argmax(dim=2)
optimizer = torch.optim.SGD(params, lr=job["learningRate"])
with open(f"{d}/model.json") as model:
    activation = json.load(model)["activation"]
# The sign-alternating rectifier negates the odd units of each hidden layer.
signs = torch.tensor([1.0 if j % 2 == 0 else -1.0 for j in range(1000)])
hidden = {
    "rectifier": torch.relu,
    "rectifier-alternating": lambda h: torch.relu(h) * signs,
    "tanh": torch.tanh,
    "softplus": torch.nn.functional.softplus,
}[activation]


def step(s):
    h = x[s % batches]
    for i in range(0, len(params), 2):
        h = h @ params[i] + params[i + 1]
        if i < len(params) - 2:
            h = hidden(h)
    loss = torch.nn.functional.cross_entropy(h, y[s % batches])
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return loss


for s in range(job["warmup"]):
    step(s)
start = time.perf_counter()
for s in range(job["steps"]):
    loss = step(job["warmup"] + s)
final = float(loss.item())
seconds = time.perf_counter() - start
print(json.dumps({
    "samplesPerSecond": job["steps"] * batch / seconds,
    "seconds": seconds,
    "finalLoss": final,
    "peakRssMiB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    "details": {"torch": torch.__version__, "threads": torch.get_num_threads(),
                "flushSubnormals": bool(job.get("flushSubnormals", False))},
}))
