/**
 * The measurements: each tfjs backend in its own child process (main.ts
 * worker, started through Effect's child-process module) and, for training,
 * PyTorch on the same model, data and step count, native again with its
 * sparse products on (`--sparse`), and the dense sgemm ceiling of the step
 * (Ceiling.ts, in this process), in interleaved rounds, one child at a time,
 * so that nothing around a child adds to what it measures.
 */
import type { NativeBlas } from "@rectifier/backend-native"
import { Effect, Stream } from "effect"
import { ChildProcess, ChildProcessSpawner } from "effect/process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { measureCeiling } from "./Ceiling.ts"
import type { ActivationOptions, TrainOptions } from "./Options.ts"
import { readResult } from "./ResultLine.ts"
import { findTorchPython, runTorch, torchHint } from "./Torch.ts"
import { type Job, resultMarker } from "./Worker.ts"
import { type Examples, type StepStart, writeWorkload } from "./Workload.ts"

type Result = Record<string, unknown>

const workerEntry = fileURLToPath(new URL("./main.ts", import.meta.url))

/** The name of native's contender with its sparse products on. */
export const nativeSparse = "native-sparse"
/** The contenders with subnormal floats flushed to zero (`--flush-subnormals`). */
export const nativeFlush = "native-flush"
export const torchFlush = "pytorch-flush"

/** The name of the dense sgemm ceiling's row. */
export const sgemmCeiling = "sgemm ceiling"

const text = (stream: Stream.Stream<Uint8Array, unknown>) =>
  stream.pipe(Stream.decodeText(), Stream.mkString, Effect.orElseSucceed(() => ""))

/** Runs one job in a fresh Node process and returns its result line, or why it failed. */
const inChild = Effect.fn("Bench.inChild")(function*(job: Job) {
  const spawner = yield* ChildProcessSpawner.ChildProcessSpawner
  const child = yield* spawner.spawn(
    ChildProcess.make(process.execPath, [workerEntry, "worker", JSON.stringify(job)], { detached: false, stdin: "ignore" })
  )
  const [stdout, stderr] = yield* Effect.all([text(child.stdout), text(child.stderr)], { concurrency: 2 })
  const status = yield* child.exitCode.pipe(Effect.map(String), Effect.catch((error) => Effect.succeed(error.message)))
  const line = stdout.split("\n").find((l) => l.startsWith(resultMarker))
  if (line === undefined) {
    const why = `${stderr}${stdout}`.split("\n").filter((l) => /error|unavailable|hint/i.test(l))
    return { error: why.slice(0, 2).join(" ").trim() || `exit status ${status}` } as Result
  }
  return readResult(line.slice(resultMarker.length), `the ${job.kind} job on ${job.backend}`)
}, Effect.scoped, Effect.orElseSucceed((): Result => ({ error: "the benchmark process could not start" })))

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

const speed = (result: Result): number =>
  typeof result["samplesPerSecond"] === "number" ? result["samplesPerSecond"] : -1

/**
 * `blas`: native's OpenBLAS in this process, for the sgemm ceiling (undefined where the addon is not
 * built: no ceiling); `examples`: the minibatches' source when not uniform (`--data mnist`); `start`: a
 * trained net to start from (`--weights`) instead of fresh weights.
 */
export const measureTrain = Effect.fn("Bench.measureTrain")(function*(
  options: TrainOptions,
  blas: NativeBlas | undefined,
  examples?: Examples,
  start?: StepStart
) {
  const python = options.torch ? findTorchPython() : undefined
  if (options.torch && python === undefined) console.log(torchHint)
  const rows: Array<{ batch: number; name: string; result: Result }> = []
  for (const batch of options.batches) {
    const dir = mkdtempSync(join(tmpdir(), "rectifier-bench-"))
    try {
      const workload = writeWorkload(dir, options.seed, batch, Math.min(options.steps + options.warmup, 20), examples, start)
      const job = {
        dir,
        batch,
        batches: workload.batches,
        steps: options.steps,
        warmup: options.warmup,
        learningRate: options.learningRate,
        threads: options.threads
      }
      const runners: Array<[string, Effect.Effect<Result, never, ChildProcessSpawner.ChildProcessSpawner>]> = options.backends
        .map((backend) => [backend, inChild({ kind: "train", backend, ...job })])
      if (options.sparse && options.backends.includes("native")) {
        runners.push([nativeSparse, inChild({ kind: "train", backend: "native", ...job, sparse: true })])
      }
      if (options.flushSubnormals && options.backends.includes("native")) {
        runners.push([nativeFlush, inChild({ kind: "train", backend: "native", ...job, flushSubnormals: true })])
      }
      if (python !== undefined) runners.push(["pytorch", Effect.sync(() => runTorch(python, job))])
      if (python !== undefined && options.flushSubnormals) {
        runners.push([torchFlush, Effect.sync(() => runTorch(python, { ...job, flushSubnormals: true }))])
      }
      if (blas !== undefined) runners.push([sgemmCeiling, Effect.sync(() => ({ ...measureCeiling(blas, dir, batch, options.steps) }))])
      // Rounds interleave the contenders so that a burst of load elsewhere hits them alike.
      const best = new Map<string, Result>()
      const rounds = new Map<string, Array<number>>()
      for (let round = 0; round < options.rounds; round++) {
        for (const [name, run] of runners) {
          const result = yield* run
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
})

export const measureActivations = (options: ActivationOptions) =>
  Effect.forEach(options.backends, (backend) =>
    inChild({ kind: "activations", backend, threads: options.threads, rows: 500, columns: 1000, reps: 20 }).pipe(
      Effect.map((result) => {
        console.log(`${backend}: ${JSON.stringify(result)}`)
        return { name: backend, result }
      })
    ))
