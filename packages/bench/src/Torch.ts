/**
 * The PyTorch side of the comparison: Debian's python3-torch, run as a child
 * process on the files the bench wrote. Never a project dependency; when it is
 * missing the bench says how to install it and carries on without ratios.
 */
import { spawnSync } from "node:child_process"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { readResult } from "./ResultLine.ts"

/** The bench's PyTorch scripts (python/): the training step's and the whole pipeline's. */
const scripts = join(dirname(fileURLToPath(import.meta.url)), "..", "python")

export const torchHint = "PyTorch not found: apt-get install python3-torch (Debian/Ubuntu), " +
  "dnf install python3-torch (Fedora) or pip install torch"

/**
 * The first Python that can import torch: the one on PATH, then Debian's own
 * (a pyenv or venv python3 on PATH does not see python3-torch).
 */
export const findTorchPython = (): string | undefined =>
  ["python3", "/usr/bin/python3"].find((python) =>
    spawnSync(python, ["-c", "import torch"], { stdio: "ignore" }).status === 0
  )

/**
 * Runs the PyTorch side, `script` of python/ with `job` as its JSON argument. torch.set_num_threads does not reach Debian's
 * pthreads OpenBLAS, so its thread count is also set through the environment:
 * both sides then multiply matrices with the same number of threads.
 */
export const runTorch = (
  python: string,
  job: { readonly threads: number; readonly flushSubnormals?: boolean },
  script: "train_torch.py" | "pipeline_torch.py" = "train_torch.py"
): Record<string, unknown> => {
  const threads = String(job.threads)
  const result = spawnSync(python, [join(scripts, script), JSON.stringify(job)], {
    encoding: "utf8",
    maxBuffer: 1 << 24,
    env: { ...process.env, OPENBLAS_NUM_THREADS: threads, OMP_NUM_THREADS: threads }
  })
  const line = result.stdout.trim().split("\n").pop() ?? ""
  if (result.status !== 0 || !line.startsWith("{")) {
    return { error: (result.stderr || result.stdout).trim().split("\n").slice(-1)[0] ?? "PyTorch failed" }
  }
  return readResult(line, "the PyTorch script")
}
