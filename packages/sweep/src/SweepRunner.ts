/**
 * The sweep runner: expands a preset into its runs (cells x seeds), names
 * each run folder by the hash of its configuration and code version, skips
 * runs already finished (so a killed sweep resumes where it stopped), runs
 * the rest in worker processes, `parallel` at a time, each under a run lock,
 * and writes the pipeline's report from every finished run.
 *
 * Parallelism uses processes, not Effect worker threads: tfjs's engine and
 * backend are process-global, and the wasm and cpu backends are
 * single-threaded, so N processes use N cores.
 */
import { resolveActivation, specName } from "@rectifier/activations"
import { type ActivationSpec, sampleActivation } from "@rectifier/activations"
import { TensorBackend } from "@rectifier/backend"
import { writeFileAtomic } from "@rectifier/core"
import { type PlannedRun, type Preset, readRunRecord, resolveRuns } from "@rectifier/pipeline"
import { type ActivationShape, type RunRecord, type SweepReportInput, writeSweepReport } from "@rectifier/report"
import { Effect, FileSystem, Path, Schema } from "effect"
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import type { WorkerEpoch, WorkerJob } from "./Job.ts"
import { codeVersion, runKey, slug } from "./RunKey.ts"
import { acquireRunLock, clearStaleLock } from "./RunLock.ts"

export class RunFailed extends Schema.TaggedError<RunFailed>()("RunFailed", {
  folder: Schema.String,
  detail: Schema.String
}) {
  override get message(): string {
    return `the run in ${this.folder} failed:\n${this.detail}`
  }
}

export interface SweepRun extends PlannedRun {
  readonly key: string
  readonly folder: string
  /** "cell, seed N". */
  readonly name: string
}

export type SweepEvent =
  | { readonly _tag: "Planned"; readonly total: number; readonly finished: number; readonly folder: string }
  | { readonly _tag: "RunStarted"; readonly run: SweepRun }
  | { readonly _tag: "Epoch"; readonly run: SweepRun; readonly epoch: WorkerEpoch }
  | { readonly _tag: "RunFinished"; readonly run: SweepRun; readonly record: RunRecord }
  | { readonly _tag: "RunSkipped"; readonly run: SweepRun; readonly reason: string }

export interface SweepOptions {
  /** Folder that receives `<out>/<pipeline>/`. */
  readonly out: string
  /** Runs at once (processes); 1 runs one after the other. */
  readonly parallel: number
  /** Flags: applied on top of every cell. */
  readonly overrides?: unknown
  /** Replaces the preset's seeds. */
  readonly seeds?: ReadonlyArray<number>
  readonly onEvent?: (event: SweepEvent) => void
}

export interface SweepOutcome {
  readonly folder: string
  readonly runs: ReadonlyArray<SweepRun>
  /** Runs this call executed; the others were already finished or locked. */
  readonly executed: number
  readonly report: { readonly html: string; readonly markdown: string; readonly figures: ReadonlyArray<string> }
}

const workerEntry = new URL("./Worker.ts", import.meta.url).pathname

/** Runs one worker process to completion, forwarding its epoch lines. */
const runWorker = (job: WorkerJob, onEpoch: (epoch: WorkerEpoch) => void) =>
  Effect.callback<void, RunFailed>((resume) => {
    const child = spawn(process.execPath, [workerEntry, JSON.stringify(job)], { stdio: ["ignore", "pipe", "pipe"] })
    let buffer = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      buffer += chunk
      let newline: number
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline)
        buffer = buffer.slice(newline + 1)
        try {
          onEpoch(JSON.parse(line) as WorkerEpoch)
        } catch {
          // not an epoch line (a library's notice): ignore
        }
      }
    })
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000)
    })
    child.on("error", (error) => resume(Effect.fail(new RunFailed({ folder: job.folder, detail: error.message }))))
    child.on("exit", (code, signal) =>
      resume(
        code === 0
          ? Effect.void
          : Effect.fail(new RunFailed({ folder: job.folder, detail: `exit ${code ?? signal}: ${stderr.trim()}` }))
      ))
    return Effect.sync(() => {
      child.kill("SIGTERM")
    })
  })

/** The runs `preset` stands for with their keys and folders; fails if any cannot run yet. */
export const planSweep = (preset: Preset, options: Pick<SweepOptions, "out" | "overrides" | "seeds">) =>
  Effect.gen(function*() {
    const path = yield* Path.Path
    const planned = yield* resolveRuns(preset, options.overrides ?? {}, options.seeds)
    const code = codeVersion()
    const folder = path.resolve(options.out, preset.name)
    const runs: ReadonlyArray<SweepRun> = planned.map((run) => {
      const key = runKey(run.config, code)
      return {
        ...run,
        key,
        folder: path.join(folder, `${slug(run.cell)}-seed${run.config.seed}-${key}`),
        name: `${run.cell}, seed ${run.config.seed}`
      }
    })
    return { folder, code, runs }
  })

const isFinished = (run: SweepRun) => existsSync(`${run.folder}/results.json`)

/** The activation shapes of the sweep's distinct activations, sampled on the cpu backend. */
const activationShapes = (runs: ReadonlyArray<SweepRun>) =>
  Effect.gen(function*() {
    const specs = new Map<string, ActivationSpec>()
    for (const run of runs) specs.set(JSON.stringify(run.config.training.activation), run.config.training.activation)
    return [...specs.values()].map((spec): ActivationShape => {
      const samples = sampleActivation(resolveActivation(spec), { from: -4, to: 4, points: 81 })
      const parameters = typeof spec === "string" ? "" : JSON.stringify({ ...spec, name: undefined })
      return {
        label: parameters === "{}" || parameters === "" ? specName(spec) : `${specName(spec)} ${parameters}`,
        x: [...samples.x],
        value: [...samples.value],
        derivative: [...samples.derivative]
      }
    })
  }).pipe(Effect.provide(TensorBackend.layer({ backend: "cpu", threads: 1 })))

/** Writes the report of `preset` from whatever runs of the plan have finished. */
export const writeReport = (preset: Preset, folder: string, runs: ReadonlyArray<SweepRun>) =>
  Effect.gen(function*() {
    const finished: Array<{ run: SweepRun; record: RunRecord }> = []
    for (const run of runs) {
      if (isFinished(run)) finished.push({ run, record: yield* readRunRecord(run.folder) })
    }
    const cells = [...new Set(runs.map((r) => r.cell))].map((label) => ({
      label,
      references: runs.find((r) => r.cell === label)!.references,
      records: finished.filter((f) => f.run.cell === label).map((f) => f.record)
    }))
    const curve = preset.sweep?.curve
    const input: SweepReportInput = {
      name: preset.name,
      description: preset.description,
      cells,
      comparisons: preset.sweep?.comparisons ??
        cells.slice(1).map((cell) => [cells[0]!.label, cell.label] as const),
      ...(curve === undefined ? {} : {
        curve: {
          title: curve.title,
          logX: curve.logX ?? false,
          points: finished.flatMap(({ record }) => {
            const x = curve.x(record.config)
            return Number.isFinite(x)
              ? [{ series: curve.series(record.config), x, testError: record.result.testError, seed: record.config.seed }]
              : []
          })
        }
      }),
      activations: yield* activationShapes(runs),
      missing: runs.filter((run) => !isFinished(run)).map((run) => run.name)
    }
    return yield* writeSweepReport(folder, input)
  })

/** Runs every unfinished run of `preset` and writes its report into `<out>/<preset>/`. */
export const runSweep = (preset: Preset, options: SweepOptions) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const emit = options.onEvent ?? (() => {})
    const { folder, code, runs } = yield* planSweep(preset, options)
    yield* fs.makeDirectory(folder, { recursive: true })
    yield* writeFileAtomic(
      path.join(folder, "sweep.json"),
      JSON.stringify({ pipeline: preset.name, code, runs: runs.map((r) => ({ cell: r.cell, seed: r.config.seed, key: r.key, folder: path.basename(r.folder) })) }, null, 2) + "\n"
    )
    const pending = runs.filter((run) => !isFinished(run))
    emit({ _tag: "Planned", total: runs.length, finished: runs.length - pending.length, folder })
    let executed = 0
    for (const run of runs) if (isFinished(run)) clearStaleLock(run.folder)
    yield* Effect.forEach(pending, (run) =>
      Effect.gen(function*() {
        // The lock is released when the scope closes, before the run is announced as finished.
        const finished = yield* Effect.scoped(Effect.gen(function*() {
          yield* fs.makeDirectory(run.folder, { recursive: true })
          const locked = yield* acquireRunLock(run.folder).pipe(
            Effect.as(false),
            Effect.catchTag("RunLocked", (error) => {
              emit({ _tag: "RunSkipped", run, reason: error.message })
              return Effect.succeed(true)
            })
          )
          if (locked) return false
          if (isFinished(run)) {
            emit({ _tag: "RunSkipped", run, reason: "finished by another sweep" })
            return false
          }
          emit({ _tag: "RunStarted", run })
          yield* runWorker({
            pipeline: preset.name,
            description: `${preset.description} Cell: ${run.cell}.`,
            references: run.references,
            config: run.config,
            folder: run.folder
          }, (epoch) => emit({ _tag: "Epoch", run, epoch }))
          return true
        }))
        if (!finished) return
        executed++
        emit({ _tag: "RunFinished", run, record: yield* readRunRecord(run.folder) })
      }), { concurrency: Math.max(1, options.parallel), discard: true })
    const report = yield* writeReport(preset, folder, runs)
    const outcome: SweepOutcome = { folder, runs, executed, report }
    return outcome
  })
