"""Prints the first epochs of Table 1's rectifier seed 2 as three machines ran it: the AMD EPYC
record (OpenBLAS's Cooperlake kernels), the Intel Xeon's (SkylakeX, the selection check's lr 0.01
candidate) and the Xeon pinned to Cooperlake with OPENBLAS_CORETYPE. Run from the repository root."""
import glob
import json
import re

def load(path):
    return json.load(open(glob.glob(path)[0]))

runs = {
    "AMD EPYC": load("results/table1-mnist/runs/rectifier-seed2-*/results.json"),
    "Intel Xeon": load("results/table1-mnist-selection-check/runs/rectifier-seed2-*/results.json"),
    "Intel Xeon, OPENBLAS_CORETYPE=Cooperlake": load("results/evidence/blas-kernels/runs/xeon-pinned-cooperlake.json"),
}
for name, record in runs.items():
    kernel = re.search(r"(\S+) MAX_THREADS=", record["environment"]["backend"]["details"]["blas"]).group(1)
    epochs = ", ".join(f"epoch {e['epoch']}: loss {e['trainLoss']!r} validation {e['validationError']}" for e in record["epochs"][:2])
    print(f"{name} ({record['environment']['cpu']}, {kernel}): {epochs}")
