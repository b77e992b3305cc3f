"""Did the stopping rules limit a cell? Per finished run of a sweep's records, the kept candidate's stop.

    /usr/bin/python3 results/evidence/convergence/convergence.py [runs folder, default results/table1-mnist/runs]

For each run (a results.json under the folder): its cell, seed and learning rate; the best epoch,
the epochs trained and the cap; why training stopped (patience: 10 epochs without a lower
validation error; cap: the epoch limit); the training loss (the objective SGD minimises: the mean
softmax NLL plus the L1 term where there is one) at the best epoch and at the stop; the
validation error at the best epoch and the range over the epochs after it. A run that stopped at
the cap with validation still falling was limited by the cap; one whose training loss is near 0
has fit its training set, so more epochs at that rate cannot lower its training objective much.
Standard library only.
"""
import glob
import json
import os
import sys

folder = sys.argv[1] if len(sys.argv) > 1 else "results/table1-mnist/runs"
rows = []
for path in sorted(glob.glob(os.path.join(folder, "*", "results.json"))):
    record = json.load(open(path))
    result, training = record["result"], record["config"]["training"]
    epochs = record["epochs"]
    best = result["bestEpoch"]
    after = [e["validationError"] for e in epochs if e["epoch"] > best]
    cell = record["description"].split("Cell: ")[-1].rstrip(".")
    stop = "cap" if len(epochs) >= training["epochs"] else "patience"
    rows.append((
        cell, record["config"]["seed"], result["learningRate"], best, len(epochs), training["epochs"], stop,
        epochs[best - 1]["trainLoss"], epochs[-1]["trainLoss"], result["validationError"],
        (min(after), max(after)) if after else None, result["testError"]
    ))

print("| cell | seed | lr | best epoch / run / cap | stop | train loss at best, at stop | validation at best | after best (min-max) | test |")
print("|---|---|---|---|---|---|---|---|---|")
for cell, seed, lr, best, run, cap, stop, loss_best, loss_stop, val, after, test in rows:
    spread = "—" if after is None else f"{100 * after[0]:.2f}-{100 * after[1]:.2f}%"
    print(f"| {cell} | {seed} | {lr:g} | {best} / {run} / {cap} | {stop} | {loss_best:.4f}, {loss_stop:.4f} | "
          f"{100 * val:.2f}% | {spread} | {100 * test:.2f}% |")
