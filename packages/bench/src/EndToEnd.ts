/**
 * `bench pipeline`: whole processes, end to end. At each minibatch size our
 * pipeline (`node apps/cli/src/bin.ts pipeline mnist-relu`, the entry point
 * `pnpm run pipeline` runs, without pnpm's own start) and the PyTorch script
 * (python/pipeline_torch.py: the same net, data, cost, optimiser and
 * per-epoch evaluation) each run as a fresh process, timed from its start to
 * its exit, so start-up, dataset loading, evaluation, diagnostics,
 * checkpoints and reports all count. The contenders alternate over rounds
 * (a burst of load elsewhere hits both alike), and the ratio of their wall
 * times within each round, then its median over rounds, is the comparison.
 * Each run writes into a temporary folder, removed after it.
 */
import { embeddedMnistDirectory } from "@rectifier/datasets"
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { cpus, tmpdir } from "node:os"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import type { PipelineOptions } from "./Options.ts"
import { readResult } from "./ResultLine.ts"
import { findTorchPython, runTorch, torchHint } from "./Torch.ts"

type Result = Record<string, unknown>

/** The repository's root, where the pipeline's entry point runs from. */
const root = fileURLToPath(new URL("../../..", import.meta.url))
const entry = join(root, "apps", "cli", "src", "bin.ts")

/** The name of our pipeline's row. */
export const pipelineContender = "rectifier"

/** The name of our pipeline's row with its sparse products on (`--sparse`). */
export const sparsePipelineContender = "rectifier-sparse"

/** The flagship preset the contenders both train, and what the PyTorch script needs to know of it. */
const preset = { name: "mnist-relu", learningRate: 0.01, l1: 0.001, evaluationBatch: 1000 } as const

/** Our pipeline's arguments after the entry point, for minibatch `batch`, its run folder under `out`. */
const pipelineArgs = (options: PipelineOptions, batch: number, out: string, sparse: boolean): Array<string> => [
  "pipeline",
  preset.name,
  "--train-size",
  String(options.trainSize),
  ...(options.evalSize === undefined ? [] : ["--eval-size", String(options.evalSize)]),
  "--epochs",
  String(options.epochs),
  "--batch-size",
  String(batch),
  "--seed",
  String(options.seed),
  "--threads",
  String(options.threads),
  ...(sparse ? ["--sparse-products"] : []),
  "--json",
  "--out",
  out
]

/** The PyTorch script's job at minibatch `batch`. */
const torchJob = (options: PipelineOptions, batch: number) => ({
  mnist: embeddedMnistDirectory(),
  trainSize: options.trainSize,
  evaluationSize: options.evalSize ?? 10000,
  epochs: options.epochs,
  batch,
  seed: options.seed,
  threads: options.threads,
  learningRate: preset.learningRate,
  l1: preset.l1,
  evaluationBatch: preset.evaluationBatch
})

/** The command lines, as a person would type them from the repository's root (the pipeline's `--out` left out). */
export const pipelineCommands = (options: PipelineOptions, batch: number, python: string | undefined) => ({
  [pipelineContender]: `node ${relative(root, entry)} ${pipelineArgs(options, batch, "<tmp>", false).join(" ")}`,
  ...(options.sparse
    ? { [sparsePipelineContender]: `node ${relative(root, entry)} ${pipelineArgs(options, batch, "<tmp>", true).join(" ")}` }
    : {}),
  ...(python === undefined
    ? {}
    : { pytorch: `${python} packages/bench/python/pipeline_torch.py '${JSON.stringify(torchJob(options, batch))}'` })
})

/** Runs `run` in a fresh temporary folder, removed after, and times it from start to exit. */
const timed = (run: (dir: string) => Result): Result => {
  const dir = mkdtempSync(join(tmpdir(), "rectifier-bench-pipeline-"))
  try {
    const start = performance.now()
    const result = run(dir)
    return { ...result, wallSeconds: (performance.now() - start) / 1000 }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Our pipeline as a child process; its `--json` outcome (test error, backend) is its whole stdout. */
const runPipeline = (options: PipelineOptions, batch: number, sparse: boolean) => (dir: string): Result => {
  const threads = String(options.threads)
  const child = spawnSync(process.execPath, [entry, ...pipelineArgs(options, batch, dir, sparse)], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 1 << 24,
    env: { ...process.env, OPENBLAS_NUM_THREADS: threads, OMP_NUM_THREADS: threads }
  })
  if (child.status !== 0) {
    return { error: (child.stderr || child.stdout).trim().split("\n").slice(-1)[0] || `exit status ${child.status}` }
  }
  const outcome = readResult(child.stdout, "the pipeline")
  if (outcome["error"] !== undefined) return outcome
  return { testError: outcome["testError"], validationError: outcome["validationError"], backend: outcome["backend"] }
}

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

const seconds = (result: Result): number | undefined =>
  result["error"] === undefined && typeof result["wallSeconds"] === "number" ? result["wallSeconds"] : undefined

/** The machine the figures are from. */
export const machine = () => ({ cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length })

/**
 * Times both contenders at each minibatch size over interleaved rounds. Each row holds a
 * contender's wall seconds per round, their median, and (ours) the median of per-round speed
 * ratios to PyTorch (PyTorch's seconds over ours: above 1x we are faster).
 */
export const measurePipeline = (options: PipelineOptions) => {
  const python = options.torch ? findTorchPython() : undefined
  if (options.torch && python === undefined) console.log(torchHint)
  const rows: Array<{ batch: number; name: string; result: Result }> = []
  for (const batch of options.batches) {
    const commands = pipelineCommands(options, batch, python)
    const runners: Array<[string, () => Result]> = [[pipelineContender, () => timed(runPipeline(options, batch, false))]]
    if (options.sparse) runners.push([sparsePipelineContender, () => timed(runPipeline(options, batch, true))])
    if (python !== undefined) {
      runners.push(["pytorch", () => timed(() => runTorch(python, torchJob(options, batch), "pipeline_torch.py"))])
    }
    const rounds = new Map<string, Array<Result>>()
    for (let round = 0; round < options.rounds; round++) {
      for (const [name, run] of runners) {
        const result = run()
        rounds.set(name, [...(rounds.get(name) ?? []), result])
        const took = seconds(result)
        console.log(
          `batch ${batch} ${name} round ${round + 1}: ` +
            (took === undefined ? `failed: ${String(result["error"])}` : `${took.toFixed(1)} s, test error ${String(result["testError"])}`)
        )
      }
    }
    const torch = rounds.get("pytorch")?.map(seconds)
    for (const [name] of runners) {
      const mine = rounds.get(name)!.map(seconds)
      const ok = mine.every((s) => s !== undefined)
      const ratios = torch === undefined || !ok || torch.some((s) => s === undefined)
        ? undefined
        : mine.map((s, i) => torch[i]! / s!)
      const last = rounds.get(name)!.at(-1)!
      rows.push({
        batch,
        name,
        result: {
          ...(ok ? {} : { error: rounds.get(name)!.find((r) => r["error"] !== undefined)!["error"] }),
          roundsWallSeconds: mine,
          ...(ok ? { medianWallSeconds: median(mine as Array<number>) } : {}),
          ...(ratios === undefined || name === "pytorch" ? {} : { roundRatios: ratios, pairedRatio: median(ratios) }),
          testError: last["testError"],
          ...(last["backend"] === undefined ? {} : { backend: last["backend"] }),
          command: commands[name as keyof typeof commands]
        }
      })
    }
  }
  return rows
}
