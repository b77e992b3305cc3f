"""Denormal floats in the training step of trained nets, and what they cost sgemm.

For each weights base given (a checkpoint's `.../epoch-NNNN/weights`), runs the
forward pass and backward pass of the trained MLP on the first 5000 MNIST training
images (float32, numpy on OpenBLAS, one thread), counts the subnormal values
(0 < |v| < 2^-126) in every operand of the step's products, and times those products
three ways: as they are, with the operands' subnormals set to zero beforehand, and
with the CPU's flush-to-zero and denormals-are-zero modes on (MXCSR bits 15 and 6,
set on this thread through a two-line C helper compiled with cc; OpenBLAS runs on
the calling thread at one thread).

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 denormals.py <mnist data dir> <activation>=<weights base>...
"""
import ctypes, gzip, json, os, struct, subprocess, sys, tempfile, time
import numpy as np

TINY = np.finfo(np.float32).tiny  # 2^-126, the smallest normal float32


def idx(path):
    raw = open(path, "rb").read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    dims = raw[3]
    shape = struct.unpack(">" + "I" * dims, raw[4:4 + 4 * dims])
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(base):
    meta = json.load(open(base + ".json"))
    flat = np.fromfile(base + ".bin", dtype="<f4")
    take = lambda part: flat[part["offset"]:part["offset"] + part["length"]]
    return [(take(l["weights"]).reshape(l["fanIn"], l["fanOut"]), take(l["bias"])) for l in meta["layers"]]


SIGNS = np.where(np.arange(1000) % 2 == 0, 1, -1).astype(np.float32)

ACTIVATIONS = {
    # forward and derivative, as the native backend computes them (float32)
    "softplus": (lambda x: np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x))), lambda x, h: 1 / (1 + np.exp(-x))),
    "tanh": (np.tanh, lambda x, h: 1 - h * h),
    "rectifier": (lambda x: np.maximum(x, 0), lambda x, h: (x > 0).astype(np.float32)),
    # +1 on even units, -1 on odd ones
    "rectifier-alternating": (lambda x: np.maximum(x, 0) * SIGNS[: x.shape[1]],
                              lambda x, h: (x > 0).astype(np.float32) * SIGNS[: x.shape[1]]),
}


def subnormal(a):
    return float(np.mean((a != 0) & (np.abs(a) < TINY)))


def flushed(a):
    b = a.copy()
    b[np.abs(b) < TINY] = 0
    return b


def mxcsr_helper():
    folder = tempfile.mkdtemp()
    source, library = os.path.join(folder, "mxcsr.c"), os.path.join(folder, "mxcsr.so")
    open(source, "w").write(
        "#include <xmmintrin.h>\n"
        "void flush_on(void) { _mm_setcsr(_mm_getcsr() | 0x8040); }\n"
        "void flush_off(void) { _mm_setcsr(_mm_getcsr() & ~0x8040u); }\n")
    subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", library, source], check=True)
    return ctypes.CDLL(library)


MXCSR = mxcsr_helper()


def in_flush_mode(f):
    def run():
        MXCSR.flush_on()
        try:
            return f()
        finally:
            MXCSR.flush_off()
    return run


def timed(f, repeats=20):
    f()
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        for _ in range(repeats):
            f()
        best = min(best, (time.perf_counter() - t) / repeats)
    return best


def analyse(activation, base, images, labels):
    np.seterr(all="ignore")
    forward, derivative = ACTIVATIONS[activation]
    layers = load(base)
    x = images
    inputs, pre, outs = [], [], []
    for i, (w, b) in enumerate(layers):
        inputs.append(x)
        z = (x @ w + b).astype(np.float32)
        pre.append(z)
        x = forward(z).astype(np.float32) if i < len(layers) - 1 else z
        outs.append(x)
    z = outs[-1] - outs[-1].max(axis=1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    delta = (p - np.eye(10, dtype=np.float32)[labels]).astype(np.float32) / len(labels)
    deltas = [delta]
    for i in range(len(layers) - 1, 0, -1):
        g = (deltas[0] @ layers[i][0].T).astype(np.float32)
        deltas.insert(0, (g * derivative(pre[i - 1], outs[i - 1])).astype(np.float32))
    print(f"{activation} {base}")
    print(f"  training loss on these images {float(-np.mean(np.log(np.maximum(p[np.arange(len(labels)), labels], 1e-45)))):.2e}")
    batch = 10
    total, total_flushed, total_mode = 0.0, 0.0, 0.0
    for i, (w, _) in enumerate(layers):
        a, d = inputs[i][:batch * 20], deltas[i][:batch * 20]
        print(f"  layer {i + 1}: subnormal share of input {subnormal(inputs[i]):.4f}, of its delta {subnormal(deltas[i]):.4f}, of its weights {subnormal(w):.4f}")
        for name, f, g in [
            ("forward x W", lambda: [a[k:k + batch] @ w for k in range(0, len(a), batch)],
             lambda a=flushed(a): [a[k:k + batch] @ w for k in range(0, len(a), batch)]),
            ("weight gradient x^T d", lambda: [a[k:k + batch].T @ d[k:k + batch] for k in range(0, len(a), batch)],
             lambda a=flushed(a), d=flushed(d): [a[k:k + batch].T @ d[k:k + batch] for k in range(0, len(a), batch)]),
        ] + ([("input gradient d W^T", lambda: [d[k:k + batch] @ w.T for k in range(0, len(d), batch)],
               lambda d=flushed(d): [d[k:k + batch] @ w.T for k in range(0, len(d), batch)])] if i > 0 else []):
            t, tf, tm = timed(f), timed(g), timed(in_flush_mode(f))
            total += t
            total_flushed += tf
            total_mode += tm
            print(f"    {name:22s} 20 minibatches of {batch}: {t * 1e3:8.2f} ms as is, {tf * 1e3:8.2f} ms operands flushed, {tm * 1e3:8.2f} ms FTZ+DAZ ({t / tm:5.1f}x)")
    print(f"  all products: {total * 1e3:.1f} ms as is, {total_flushed * 1e3:.1f} ms operands flushed, {total_mode * 1e3:.1f} ms FTZ+DAZ ({total / total_mode:.1f}x)")


if __name__ == "__main__":
    data = sys.argv[1]
    images = (idx(f"{data}/train-images-idx3-ubyte")[:5000].reshape(5000, 784) / np.float32(255)).astype(np.float32)
    labels = idx(f"{data}/train-labels-idx1-ubyte")[:5000].astype(np.int64)
    for spec in sys.argv[2:]:
        activation, base = spec.split("=", 1)
        analyse(activation, base, images, labels)
