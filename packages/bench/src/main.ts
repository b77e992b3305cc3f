/**
 * `pnpm run bench train|activations`: measures each tfjs backend (each in its
 * own child process) and, for training, PyTorch on the same model, data and
 * step count; prints a table and writes the results as JSON.
 */
import { NodeServices } from "@effect/platform-node"
import { writeFileAtomic } from "@rectifier/core"
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { type BenchOptions, parseOptions, usage } from "./Options.ts"
import { formatTable } from "./Table.ts"
import { findTorchPython, runTorch, torchHint } from "./Torch.ts"
import { type Job, resultMarker, runJob } from "./Worker.ts"
import { writeWorkload } from "./Workload.ts"

type Result = Record<string, unknown>

/** Runs one job in a fresh Node process and returns its result line, or why it failed. */
const inChild = (job: Job): Result => {
  const main = fileURLToPath(import.meta.url)
  const child = spawnSync(process.execPath, [main, "worker", JSON.stringify(job)], {
    encoding: "utf8",
    maxBuffer: 1 << 24
  })
  const line = child.stdout.split("\n").find((l) => l.startsWith(resultMarker))
  if (line === undefined) {
    const why = `${child.stderr}${child.stdout}`.split("\n").filter((l) => /error|unavailable|hint/i.test(l))
    return { error: why.slice(0, 2).join(" ").trim() || `exit status ${child.status}` }
  }
  return JSON.parse(line.slice(resultMarker.length)) as Result
}

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

const speed = (result: Result): number =>
  typeof result["samplesPerSecond"] === "number" ? result["samplesPerSecond"] : -1

const train = (options: BenchOptions) => {
  const python = options.torch ? findTorchPython() : undefined
  if (options.torch && python === undefined) console.log(torchHint)
  const rows: Array<{ batch: number; name: string; result: Result }> = []
  for (const batch of options.batches) {
    const dir = mkdtempSync(join(tmpdir(), "rectifier-bench-"))
    try {
      const workload = writeWorkload(dir, options.seed, batch, Math.min(options.steps + options.warmup, 20))
      const job = {
        dir,
        batch,
        batches: workload.batches,
        steps: options.steps,
        warmup: options.warmup,
        learningRate: options.learningRate,
        threads: options.threads
      }
      const runners: Array<[string, () => Result]> = options.backends.map((backend) =>
        [backend, () => inChild({ kind: "train", backend, ...job })]
      )
      if (python !== undefined) runners.push(["pytorch", () => runTorch(python, job)])
      // Rounds interleave the contenders so that a burst of load elsewhere hits them alike.
      const best = new Map<string, Result>()
      const rounds = new Map<string, Array<number>>()
      for (let round = 0; round < options.rounds; round++) {
        for (const [name, run] of runners) {
          const result = run()
          console.log(`batch ${batch} ${name} round ${round + 1}: ${JSON.stringify(result)}`)
          const previous = best.get(name)
          if (previous === undefined || speed(result) > speed(previous)) best.set(name, result)
          rounds.set(name, [...(rounds.get(name) ?? []), speed(result)])
        }
      }
      // The ratio to PyTorch within each round (measured moments apart), then the median over rounds.
      const torch = rounds.get("pytorch")
      for (const [name] of runners) {
        const mine = rounds.get(name)!
        const paired = torch === undefined ? undefined : median(mine.map((v, i) => v / torch[i]!))
        rows.push({ batch, name, result: { ...best.get(name)!, roundsSamplesPerSecond: mine, pairedRatio: paired } })
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
  return rows
}

const activations = (options: BenchOptions) =>
  options.backends.map((backend) => {
    const result = inChild({ kind: "activations", backend, threads: options.threads, rows: 500, columns: 1000, reps: 20 })
    console.log(`${backend}: ${JSON.stringify(result)}`)
    return { name: backend, result }
  })

const program = Effect.gen(function*() {
  const argv = process.argv.slice(2)
  if (argv[0] === "worker") return yield* runJob(JSON.parse(argv[1] ?? "{}") as Job)
  if (argv.length === 0 || argv[0] === "--help") return console.log(usage)
  const options = yield* parseOptions(argv)
  const started = new Date()
  const rows = options.command === "train" ? train(options) : activations(options)
  const table = formatTable(options, rows)
  console.log(`\n${table}`)
  const out = options.out ?? join("runs", "bench", `${options.command}-${started.toISOString().replace(/[:.]/g, "-")}.json`)
  const record = { command: `pnpm run bench ${argv.join(" ")}`, started: started.toISOString(), options, rows }
  yield* writeFileAtomic(out, JSON.stringify(record, null, 2) + "\n")
  console.log(`results written to ${out}`)
})

Effect.runPromise(program.pipe(Effect.provide(NodeServices.layer))).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error))
  process.exitCode = 1
})
