/**
 * The sweep runner: expands a preset into its runs (cells x seeds), names
 * each run folder by the hash of its configuration and the numerics version,
 * skips runs already finished (so a killed sweep resumes where it stopped),
 * runs the rest in worker processes, `parallel` at a time, each under a run
 * lock, and writes the pipeline's report from every finished run (with
 * `summary.csv` / `summary.json` and each cell's best weights as
 * safetensors beside it). Under the
 * paper protocol a cell's first seed selects the learning rates and its
 * other seeds reuse them (they are planned once it has finished).
 *
 * Parallelism uses processes, not Effect worker threads: tfjs's engine and
 * backend are process-global, and the wasm and cpu backends are
 * single-threaded, so N processes use N cores.
 */
import { resolveActivation, specName } from "@rectifier/activations"
import { type ActivationSpec, sampleActivation } from "@rectifier/activations"
import { TensorBackend } from "@rectifier/backend"
import { NUMERICS_VERSION, writeFileAtomic } from "@rectifier/core"
import { type RunRecord, runFailure } from "@rectifier/record"
import { type ActivationShape, type SweepReportInput, writeSweepReport, writeSweepSummary } from "@rectifier/report"
import { Effect, FileSystem, Path, Schema, Semaphore } from "effect"
import { type ChildProcessByStdio, spawn } from "node:child_process"
import { basename, join } from "node:path"
import type { Readable, Writable } from "node:stream"
import { writeBestWeights } from "./BestWeights.ts"
import { WorkerEpoch, type WorkerJob } from "./Job.ts"
import { readRunRecord } from "./Pipeline.ts"
import type { Preset } from "./Preset.ts"
import { type PlannedRun, resolveRuns } from "./Presets.ts"
import { reuseSelection } from "./Protocol.ts"
import { runKey, slug } from "./RunKey.ts"
import { clearStaleLock, processHolder, releaseRunLock, takeRunLock } from "./RunLock.ts"

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
  | { readonly _tag: "RunFailed"; readonly run: SweepRun; readonly reason: string }

export interface SweepOptions {
  /** Folder that receives `<out>/<pipeline>/`. */
  readonly out: string
  /** Runs at once (processes); 1 runs one after the other. */
  readonly parallel: number
  /** Flags: applied on top of every cell. */
  readonly overrides?: unknown
  /** Replaces the preset's seeds. */
  readonly seeds?: ReadonlyArray<number>
  /** Where the runs' dataset files come from (default: the download cache, see RunData.ts). */
  readonly data?: WorkerJob["data"]
  readonly onEvent?: (event: SweepEvent) => void
}

export interface SweepOutcome {
  readonly folder: string
  readonly runs: ReadonlyArray<SweepRun>
  /** Runs this call executed; the others were already finished or locked. */
  readonly executed: number
  /** Runs that failed or diverged (now or before), with why; the sweep went on without them. */
  readonly failed: ReadonlyArray<{ readonly name: string; readonly reason: string }>
  readonly report: {
    readonly html: string
    readonly markdown: string
    readonly figures: ReadonlyArray<string>
    /** `summary.csv` and `summary.json`. */
    readonly summary: { readonly csv: string; readonly json: string }
    /** Each cell's best weights, `<cell-slug>.safetensors`. */
    readonly weights: ReadonlyArray<string>
  }
}

// The worker beside this module: Worker.ts in the sources, Worker.js in the built package.
const workerEntry = new URL(`./Worker${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url).pathname
const decodeEpochLine = Schema.decodeUnknownOption(Schema.fromJsonString(WorkerEpoch))

interface WorkerProcess {
  readonly child: ChildProcessByStdio<Writable, Readable, Readable>
  readonly exited: Promise<{ readonly code: number | null; readonly signal: string | null }>
  readonly stderr: () => string
  onEpoch: (epoch: WorkerEpoch) => void
  /** The token of the run lock taken in this worker's name, released once it has exited. */
  lock: string | undefined
}

/**
 * Spawns the worker for `job`, waiting (before its heavy imports) for "go".
 * Released with the scope: the worker is stopped, awaited, and only then is
 * its run lock released, so the lock never outlives the check of a live writer.
 */
const spawnWorker = (job: WorkerJob) =>
  Effect.acquireRelease(
    Effect.sync((): WorkerProcess => {
      const child = spawn(process.execPath, [workerEntry, JSON.stringify(job), String(process.pid)], {
        stdio: ["pipe", "pipe", "pipe"]
      })
      child.stdin.on("error", () => {}) // a worker that exited early: its exit status says why
      let stderr = ""
      const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
        child.on("exit", (code, signal) => resolve({ code, signal }))
        child.on("error", (error) => {
          stderr += error.message
          resolve({ code: null, signal: "spawn failed" })
        })
      })
      const worker: WorkerProcess = { child, exited, stderr: () => stderr, onEpoch: () => {}, lock: undefined }
      let buffer = ""
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        buffer += chunk
        let newline: number
        while ((newline = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, newline)
          buffer = buffer.slice(newline + 1)
          // A line that is not an epoch (a library's notice) is ignored.
          const epoch = decodeEpochLine(line)
          if (epoch._tag === "Some") worker.onEpoch(epoch.value)
        }
      })
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
        stderr = (stderr + chunk).slice(-4000)
      })
      return worker
    }),
    (worker) =>
      Effect.promise(async () => {
        if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill("SIGTERM")
        await worker.exited
        if (worker.lock !== undefined) releaseRunLock(job.folder, worker.lock)
      })
  )

/** Lets a spawned worker run (it holds the run lock now) and waits for it, forwarding its epoch lines. */
const runWorker = (worker: WorkerProcess, folder: string, onEpoch: (epoch: WorkerEpoch) => void) =>
  Effect.gen(function*() {
    worker.onEpoch = onEpoch
    worker.child.stdin.write("go\n")
    const { code, signal } = yield* Effect.promise(() => worker.exited)
    if (code !== 0) return yield* new RunFailed({ folder, detail: `exit ${code ?? signal}: ${worker.stderr().trim()}` })
  })

/** A planned run with its key and folder under `sweepFolder`. */
const placed = (run: PlannedRun, sweepFolder: string): SweepRun => {
  const key = runKey(run.config, NUMERICS_VERSION)
  return {
    ...run,
    key,
    folder: join(sweepFolder, `${slug(run.cell)}-seed${run.config.seed}-${key}`),
    name: `${run.cell}, seed ${run.config.seed}`
  }
}

/**
 * The record a finished run left in its folder, if it may be reused: one
 * that decodes and was computed under this numerics version. A record that
 * does not decode is moved aside (`results.json.unreadable-<time>`) so the
 * run is computed again; one from another numerics version is refused.
 */
const finishedRecord = (run: SweepRun) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const file = join(run.folder, "results.json")
    if (!(yield* fs.exists(file))) return undefined
    const record = yield* readRunRecord(run.folder).pipe(
      Effect.catch((error) =>
        Effect.gen(function*() {
          const aside = `${file}.unreadable-${Date.now()}`
          yield* fs.rename(file, aside)
          yield* Effect.logWarning(`${error.message}; moved to ${aside}, the run is computed again`)
          return undefined
        })
      )
    )
    if (record === undefined) return undefined
    const version = record.environment.numericsVersion
    if (version !== undefined && version !== NUMERICS_VERSION) {
      return yield* new RunFailed({
        folder: run.folder,
        detail: `its results.json was computed under numerics version ${version}, this code is version ${NUMERICS_VERSION}; ` +
          "it is not reused (move the folder away to recompute it)"
      })
    }
    return record
  })

/**
 * The runs `preset` stands for with their keys and folders; fails if any
 * cannot run yet. A follower whose leader has not finished is `waiting`.
 */
export const planSweep = Effect.fn("Sweep.plan")(function*(preset: Preset, options: Pick<SweepOptions, "out" | "overrides" | "seeds">) {
  const path = yield* Path.Path
  const planned = yield* resolveRuns(preset, options.overrides ?? {}, options.seeds)
  const folder = path.resolve(options.out, preset.name)
  const leaders = new Map<string, SweepRun>()
  for (const run of planned) if (run.selection === "leader") leaders.set(run.cell, placed(run, folder))
  const runs: Array<SweepRun> = []
  const waiting: Array<{ readonly planned: PlannedRun; readonly leader: SweepRun }> = []
  for (const run of planned) {
    if (run.selection === "leader") {
      runs.push(leaders.get(run.cell)!)
      continue
    }
    if (run.selection !== "follower") {
      runs.push(placed(run, folder))
      continue
    }
    const leader = leaders.get(run.cell)!
    const record = yield* finishedRecord(leader)
    if (record === undefined) waiting.push({ planned: run, leader })
    else runs.push(placed({ ...run, config: reuseSelection(run.config, record) }, folder))
  }
  return { folder, runs, waiting }
})

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

/**
 * Writes the report of `preset` from whatever runs of the plan have finished;
 * failed runs (a diverged record, or a worker that failed) are listed with
 * their reasons and left out of every figure and statistic. Beside it: the
 * summary of every run with a record (failed ones too, for other tools to
 * judge) and each cell's best weights (from the runs the report uses).
 */
export const writeReport = (
  preset: Preset,
  folder: string,
  runs: ReadonlyArray<SweepRun>,
  options: {
    /** Followers whose leader has not selected yet, by name. */
    readonly waiting?: ReadonlyArray<string>
    /** Planned runs known only by name (no record, no configuration yet). */
    readonly unfinished?: ReadonlyArray<string>
    readonly failures?: ReadonlyArray<{ readonly name: string; readonly reason: string }>
    /** Export each cell's best weights (they need the runs' checkpoints); true unless said otherwise. */
    readonly weights?: boolean
  } = {}
) =>
  Effect.gen(function*() {
    const { failures = [], unfinished = [], waiting = [] } = options
    const finished: Array<{ run: SweepRun; record: RunRecord }> = []
    const failedNames = new Set(failures.map((f) => f.name))
    /** Every run with a record, diverged or failed too, in plan order: the summary's rows. */
    const recorded: Array<{ cell: string; folder: string; record: RunRecord }> = []
    for (const run of runs) {
      const record = yield* finishedRecord(run)
      if (record === undefined) continue
      recorded.push({ cell: run.cell, folder: run.folder, record })
      if (runFailure(record) === undefined && !failedNames.has(run.name)) finished.push({ run, record })
    }
    const done = new Set(finished.map((f) => f.run.folder))
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
      ...(preset.sweep?.claims === undefined ? {} : { claims: preset.sweep.claims }),
      activations: yield* activationShapes(runs),
      missing: [
        ...runs.filter((run) => !done.has(run.folder) && !failedNames.has(run.name)).map((run) => run.name),
        ...unfinished,
        ...waiting.map((name) => `${name} (waits for its cell's first seed to select the learning rates)`),
        ...failures.map((f) => `${f.name}: FAILED, ${f.reason.split("\n")[0]}`)
      ]
    }
    const report = yield* writeSweepReport(folder, input)
    const summary = yield* writeSweepSummary(folder, recorded.map((r) => ({ ...r, folder: basename(r.folder) })))
    const weights = options.weights === false
      ? []
      : yield* writeBestWeights(folder, finished.map(({ record, run }) => ({ cell: run.cell, folder: run.folder, record })))
    return { ...report, summary, weights }
  })

/**
 * Runs every unfinished run of `preset` and writes its report into
 * `<out>/<preset>/`. At most `parallel` runs at once; under the paper protocol
 * a cell's other seeds start when its first seed has selected their rates.
 */
export const runSweep = Effect.fn("Sweep.run")(function*(preset: Preset, options: SweepOptions) {
  const fs = yield* FileSystem.FileSystem
  const emit = options.onEvent ?? (() => {})
  const plan = yield* planSweep(preset, options)
  const { folder } = plan
  yield* fs.makeDirectory(folder, { recursive: true })
  const known: Array<SweepRun> = [...plan.runs]
  const total = plan.runs.length + plan.waiting.length
  /** `sweep.json`: the runs known so far (followers join once their leader has selected). */
  const writeIndex = () =>
    writeFileAtomic(
      join(folder, "sweep.json"),
      JSON.stringify(
        {
          pipeline: preset.name,
          numericsVersion: NUMERICS_VERSION,
          // Followers join `runs` once their leader has selected; `planned` counts them from the start.
          planned: total,
          runs: known.map((r) => ({ cell: r.cell, seed: r.config.seed, key: r.key, folder: basename(r.folder) }))
        },
        null,
        2
      ) + "\n"
    )
  yield* writeIndex()
  let finishedBefore = 0
  for (const run of plan.runs) {
    if ((yield* finishedRecord(run)) !== undefined) {
      finishedBefore++
      clearStaleLock(run.folder)
    }
  }
  emit({ _tag: "Planned", total, finished: finishedBefore, folder })
  const permits = yield* Semaphore.make(Math.max(1, options.parallel))
  let executed = 0
  const failed: Array<{ readonly name: string; readonly reason: string }> = []
  const divergence = (record: RunRecord | undefined) => record === undefined ? undefined : runFailure(record)

  /**
   * Runs `run` under a permit unless it is finished or locked; its record, or
   * undefined when skipped or failed. A failed or diverged run is noted and the
   * sweep goes on.
   */
  const execute = (run: SweepRun) =>
    Effect.gen(function*() {
      const before = yield* finishedRecord(run)
      if (before !== undefined) {
        const diverged = divergence(before)
        if (diverged !== undefined) failed.push({ name: run.name, reason: diverged })
        return diverged === undefined ? before : undefined
      }
      // The lock is released when the scope closes, before the run is announced as finished.
      const ran = yield* Effect.scoped(Effect.gen(function*() {
        yield* fs.makeDirectory(run.folder, { recursive: true })
        const job: WorkerJob = {
          pipeline: preset.name,
          description: `${preset.description} Cell: ${run.cell}.`,
          references: run.references,
          config: run.config,
          folder: run.folder,
          ...(options.data === undefined ? {} : { data: options.data })
        }
        // The lock names the worker, the process that writes the folder: it stays valid while the worker lives.
        const worker = yield* spawnWorker(job)
        const token = yield* takeRunLock(run.folder, processHolder(worker.child.pid ?? -1)).pipe(
          Effect.catchTag("RunLocked", (error) => {
            emit({ _tag: "RunSkipped", run, reason: error.message })
            return Effect.succeed(undefined)
          }),
          // A marker left by killed processes: this run fails, naming it; the sweep goes on.
          Effect.catchTag("RunLockStuck", (error) => Effect.succeed({ error: error.message }))
        )
        if (token === undefined) return false
        if (typeof token === "object") return token
        worker.lock = token
        if ((yield* finishedRecord(run)) !== undefined) {
          emit({ _tag: "RunSkipped", run, reason: "finished by another sweep" })
          return false
        }
        emit({ _tag: "RunStarted", run })
        const outcome = yield* runWorker(worker, run.folder, (epoch) => emit({ _tag: "Epoch", run, epoch })).pipe(
          Effect.as(undefined),
          Effect.catchTag("RunFailed", (error) => Effect.succeed(error.detail))
        )
        return outcome === undefined ? true : { error: outcome }
      })).pipe(Semaphore.withPermit(permits))
      if (ran === false) return yield* finishedRecord(run)
      executed++
      const record = yield* finishedRecord(run)
      const reason = divergence(record) ?? (typeof ran === "object" || record === undefined
        ? (typeof ran === "object" ? ran.error : "the worker left no record")
        : undefined)
      if (reason !== undefined) {
        failed.push({ name: run.name, reason })
        emit({ _tag: "RunFailed", run, reason })
        return undefined
      }
      emit({ _tag: "RunFinished", run, record: record! })
      return record
    })

  const followersOf = (leader: SweepRun) => plan.waiting.filter((w) => w.leader.folder === leader.folder)
  // A run and the followers it unlocks form one unit; `parallel` units at once (the permits bound the
  // processes), so a cell's other seeds run before the next cell's selection and cells finish in order.
  yield* Effect.forEach(plan.runs, (run) =>
    Effect.gen(function*() {
      const record = yield* execute(run)
      const followers = followersOf(run)
      if (record === undefined || followers.length === 0) return
      const resolved = followers.map((f) => placed({ ...f.planned, config: reuseSelection(f.planned.config, record) }, folder))
      known.push(...resolved)
      yield* writeIndex()
      yield* Effect.forEach(resolved, execute, { concurrency: "unbounded", discard: true })
    }), { concurrency: Math.max(1, options.parallel), discard: true })
  const unresolved = plan.waiting.filter((w) => !known.some((k) => k.cell === w.planned.cell && k.config.seed === w.planned.config.seed))
  const report = yield* writeReport(
    preset,
    folder,
    known,
    { waiting: unresolved.map((w) => `${w.planned.cell}, seed ${w.planned.config.seed}`), failures: failed }
  )
  const outcome: SweepOutcome = { folder, runs: known, executed, failed, report }
  return outcome
})
