/**
 * The sweep runner: expands a preset into its runs (cells x seeds), names
 * each run folder by the hash of its configuration and the numerics version,
 * skips runs already finished (so a killed sweep resumes where it stopped),
 * runs the rest, each under a run lock, and writes the pipeline's report from
 * every finished run (with `summary.csv` / `summary.json` and each cell's
 * best weights as safetensors beside it). Under the paper protocol a cell's
 * first seed selects the learning rates and its other seeds reuse them (they
 * are planned once it has finished).
 *
 * Runs execute in worker processes (WorkerProcess.ts), `parallel` at a time,
 * or, with `inProcess`, in this process one after the other: a single run is
 * a sweep of one run here. Parallelism uses processes, not Effect worker
 * threads: tfjs's engine and backend are process-global, and the wasm and cpu
 * backends are single-threaded, so N processes use N cores.
 */
import { resolveActivation, specName } from "@rectifier/activations"
import { type ActivationSpec, sampleActivation } from "@rectifier/activations"
import { TensorBackend } from "@rectifier/backend"
import { describeError, NUMERICS_VERSION, writeFileAtomic } from "@rectifier/core"
import { type RunRecord, runFailure } from "@rectifier/record"
import { type ActivationShape, type SweepReportInput, writeSweepReport, writeSweepSummary } from "@rectifier/report"
import { Effect, FileSystem, Option, Path, Ref, Schema, Semaphore } from "effect"
import { basename, dirname, join } from "node:path"
import { writeBestWeights } from "./BestWeights.ts"
import type { WorkerEpoch, WorkerJob } from "./Job.ts"
import { readRunRecord, type RunOptions, runPipeline } from "./Pipeline.ts"
import { RunFailed, RunFolderUnavailable } from "./PipelineError.ts"
import type { Preset } from "./Preset.ts"
import { type PlannedRun, resolveRuns } from "./Presets.ts"
import { reuseSelection } from "./Protocol.ts"
import { folderKey, runFolderName, runKey } from "./RunKey.ts"
import { clearStaleLock, currentProcess, type LockHolder, processHolder, releaseRunLock, takeRunLock } from "./RunLock.ts"
import { runInWorker } from "./WorkerProcess.ts"

export interface SweepRun extends PlannedRun {
  readonly key: string
  readonly folder: string
  /** "cell, seed N". */
  readonly name: string
}

/**
 * What a sweep reports while it runs: its plan (`total` runs, `finished`
 * already), each run's start, epochs and end, and the runs it skipped
 * (locked by another process, or finished by another sweep) or that failed.
 */
export type SweepEvent =
  | { readonly _tag: "Planned"; readonly total: number; readonly finished: number; readonly folder: string }
  | { readonly _tag: "RunStarted"; readonly run: SweepRun }
  | { readonly _tag: "Epoch"; readonly run: SweepRun; readonly epoch: WorkerEpoch }
  | { readonly _tag: "RunFinished"; readonly run: SweepRun; readonly record: RunRecord }
  | { readonly _tag: "RunSkipped"; readonly run: SweepRun; readonly reason: string }
  | { readonly _tag: "RunFailed"; readonly run: SweepRun; readonly reason: string }

/** How a sweep runs: where to, how many at once, in which processes, with which overrides and seeds. */
export interface SweepOptions {
  /** Folder that receives `<out>/<pipeline>/`. */
  readonly out: string
  /** Runs at once (processes); 1 runs one after the other. Ignored with `inProcess`. */
  readonly parallel: number
  /**
   * Run in this process, one at a time (tfjs is process-global), with these
   * progress callbacks, instead of in worker processes. A run's failure then
   * fails the sweep with the run's own error (its folder keeps the record and
   * report of a diverged run) instead of being listed.
   */
  readonly inProcess?: Pick<RunOptions, "onEpoch" | "onSteps">
  /** Flags: applied on top of every cell. */
  readonly overrides?: unknown
  /** Replaces the preset's seeds. */
  readonly seeds?: ReadonlyArray<number>
  /** Where the runs' dataset files come from (default: the download cache, see RunData.ts). */
  readonly data?: WorkerJob["data"]
  /** Called with each {@link SweepEvent}, e.g. for progress lines; default: nothing. */
  readonly onEvent?: (event: SweepEvent) => void
  /**
   * A results registry (`results/`): a run without a record of its own takes
   * the registry's record of the same key, whichever pipeline computed it (the
   * same configuration under this numerics version gives the same numbers),
   * instead of being computed.
   */
  readonly reuse?: string
}

/** What a sweep left in its folder (`<out>/<pipeline>/`): every run, those that failed, and the report's files. */
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

/**
 * Runs one job in a worker process under its run lock (taken in the worker's
 * name before it loads anything, released once it has exited), forwarding its
 * epochs: the unit a cluster runner executes (packages/cluster). Fails with
 * `RunFailed` (the worker failed), `RunLocked` or `RunLockStuck`.
 */
export const executeJob = (job: WorkerJob, onEpoch: (epoch: WorkerEpoch) => void) =>
  Effect.scoped(Effect.gen(function*() {
    yield* makeFolder(job.folder)
    const token = yield* Ref.make<string | undefined>(undefined)
    yield* Effect.addFinalizer(() =>
      Ref.get(token).pipe(Effect.map((held) => held === undefined ? undefined : releaseRunLock(job.folder, held)))
    )
    const admit = (pid: number) =>
      takeRunLock(job.folder, processHolder(pid)).pipe(Effect.flatMap((taken) => Ref.set(token, taken)), Effect.as(true))
    yield* runInWorker(job, { onEpoch, admit })
  }))

/** A planned run with its key and folder under `sweepFolder`. */
const placed = (run: PlannedRun, sweepFolder: string): SweepRun => {
  const key = runKey(run.config, NUMERICS_VERSION)
  return {
    ...run,
    key,
    folder: join(sweepFolder, runFolderName(run.cell, run.config.seed, key)),
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
 * The run records a results registry holds, by run key: the last part of each
 * run folder's name, `<registry>/<pipeline>/runs/<cell>-seed<n>-<key>/`.
 * Fails with `RunFolderUnavailable` when `registry` is not a folder.
 */
const registeredRecords = Effect.fn("Sweep.registeredRecords")(function*(registry: string) {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const unavailable = (reason: string) => new RunFolderUnavailable({ folder: registry, reason })
  const info = yield* fs.stat(registry).pipe(Effect.mapError(() => unavailable("no such folder (expected a results registry)")))
  if (info.type !== "Directory") return yield* unavailable("not a folder (expected a results registry)")
  const byKey = new Map<string, string>()
  for (const pipeline of (yield* fs.readDirectory(registry)).sort()) {
    const runs = path.join(registry, pipeline, "runs")
    if (!(yield* fs.exists(runs))) continue
    for (const folder of (yield* fs.readDirectory(runs)).sort()) {
      const file = path.join(runs, folder, "results.json")
      if (yield* fs.exists(file)) byKey.set(folderKey(folder), file)
    }
  }
  return byKey
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
 * `sweep.json`, a sweep folder's index: the runs known so far, and how many
 * each cell plans (`planned` adds them up; followers join `runs` once their
 * leader has selected). Files from before `cells` lack it.
 */
export const SweepIndex = Schema.Struct({
  pipeline: Schema.String,
  numericsVersion: Schema.optionalKey(Schema.Int),
  /** Every run the sweep plans, followers included (sweep.json files before this field: absent). */
  planned: Schema.optionalKey(Schema.Int),
  cells: Schema.optionalKey(Schema.Record(Schema.String, Schema.Int)),
  runs: Schema.Array(Schema.Struct({ cell: Schema.String, seed: Schema.Int, folder: Schema.String, key: Schema.optionalKey(Schema.String) }))
})
export type SweepIndex = typeof SweepIndex.Type
const decodeIndex = Schema.decodeUnknownOption(Schema.fromJsonString(SweepIndex))

/**
 * Writes `sweep.json` for the runs known so far, `planned` runs per cell. A
 * sweep of some of the pipeline's cells (`--cell`) keeps what the file lists
 * for the others (same pipeline and numerics version), read afresh at each
 * write since such sweeps may run side by side: the folder's index stays the
 * whole pipeline's, which is what `results import` reads.
 */
export const writeSweepIndex = (
  folder: string,
  pipeline: string,
  planned: ReadonlyMap<string, number>,
  runs: ReadonlyArray<SweepRun>
) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const file = join(folder, "sweep.json")
    const before = (yield* fs.exists(file)) ? decodeIndex(yield* fs.readFileString(file)) : Option.none()
    const kept = Option.getOrUndefined(
      Option.filter(before, (index) => index.pipeline === pipeline && index.numericsVersion === NUMERICS_VERSION)
    )
    const others = kept?.runs.filter((run) => !planned.has(run.cell)) ?? []
    // The other cells' planned counts as the file recorded them (older files: the runs they list).
    const cells = new Map<string, number>()
    for (const run of others) cells.set(run.cell, (cells.get(run.cell) ?? 0) + 1)
    for (const cell of cells.keys()) cells.set(cell, kept?.cells?.[cell] ?? cells.get(cell)!)
    for (const [cell, count] of planned) cells.set(cell, count)
    const index: SweepIndex = {
      pipeline,
      numericsVersion: NUMERICS_VERSION,
      planned: [...cells.values()].reduce((sum, n) => sum + n, 0),
      cells: Object.fromEntries(cells),
      runs: [...others, ...runs.map((r) => ({ cell: r.cell, seed: r.config.seed, key: r.key, folder: basename(r.folder) }))]
    }
    yield* writeFileAtomic(file, JSON.stringify(index, null, 2) + "\n")
  })

/** How many runs each cell of a plan has, followers waiting for their leader included. */
export const plannedPerCell = (plan: { readonly runs: ReadonlyArray<PlannedRun>; readonly waiting: ReadonlyArray<{ readonly planned: PlannedRun }> }) => {
  const counts = new Map<string, number>()
  for (const run of [...plan.runs, ...plan.waiting.map((w) => w.planned)]) counts.set(run.cell, (counts.get(run.cell) ?? 0) + 1)
  return counts
}

/**
 * Creates `folder` (its parents as needed) unless it exists, failing with
 * `RunFolderUnavailable`. The folder itself is made on its own: a recursive
 * mkdir on a read-only file system says ENOENT, not EROFS.
 */
const makeFolder = (folder: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    yield* fs.makeDirectory(path.dirname(folder), { recursive: true })
    yield* fs.makeDirectory(folder).pipe(Effect.catchReason("PlatformError", "AlreadyExists", () => Effect.void))
  }).pipe(Effect.mapError((error) => new RunFolderUnavailable({ folder, reason: describeError(error) })))

/**
 * Runs every unfinished run of `preset` and writes its report into
 * `<out>/<preset>/`. At most `parallel` runs at once; under the paper protocol
 * a cell's other seeds start when its first seed has selected their rates.
 */
export const runSweep = Effect.fn("Sweep.run")(function*(preset: Preset, options: SweepOptions) {
  const emit = options.onEvent ?? (() => {})
  const plan = yield* planSweep(preset, options)
  const { folder } = plan
  yield* makeFolder(folder)
  const known: Array<SweepRun> = [...plan.runs]
  const total = plan.runs.length + plan.waiting.length
  /** `sweep.json`: the runs known so far (followers join once their leader has selected). */
  const perCell = plannedPerCell(plan)
  const writeIndex = () => writeSweepIndex(folder, preset.name, perCell, known)
  yield* writeIndex()
  let finishedBefore = 0
  for (const run of plan.runs) {
    if ((yield* finishedRecord(run)) !== undefined) {
      finishedBefore++
      clearStaleLock(run.folder)
    }
  }
  emit({ _tag: "Planned", total, finished: finishedBefore, folder })
  // In this process, one run at a time: tfjs's engine and backend are process-global.
  const parallel = options.inProcess === undefined ? Math.max(1, options.parallel) : 1
  const permits = yield* Semaphore.make(parallel)
  let executed = 0
  const failed: Array<{ readonly name: string; readonly reason: string }> = []
  const divergence = (record: RunRecord | undefined) => record === undefined ? undefined : runFailure(record)
  const registered = options.reuse === undefined ? new Map<string, string>() : yield* registeredRecords(options.reuse)
  const fs = yield* FileSystem.FileSystem

  /**
   * The registry's record of `run`'s key, copied into its folder; undefined
   * when the registry has none of this numerics version (the run is computed).
   */
  const reuseRegistered = (run: SweepRun) =>
    Effect.gen(function*() {
      const source = registered.get(run.key)
      if (source === undefined) return undefined
      const record = yield* readRunRecord(dirname(source))
      if (record.environment.numericsVersion !== NUMERICS_VERSION) return undefined
      yield* makeFolder(run.folder)
      // Written whole or not at all: a half-copied record would be set aside as unreadable and recomputed.
      yield* writeFileAtomic(join(run.folder, "results.json"), yield* fs.readFileString(source))
      emit({ _tag: "RunSkipped", run, reason: `reused ${source} (the same configuration and numerics version)` })
      return record
    })

  /**
   * Runs `run` under a permit unless it is finished or locked; its record, or
   * undefined when skipped or failed. A failed or diverged run is noted and the
   * sweep goes on.
   */
  const execute = (run: SweepRun) =>
    Effect.gen(function*() {
      const before = (yield* finishedRecord(run)) ?? (yield* reuseRegistered(run))
      if (before !== undefined) {
        const diverged = divergence(before)
        if (diverged !== undefined) failed.push({ name: run.name, reason: diverged })
        return diverged === undefined ? before : undefined
      }
      /** A takeover marker left by killed processes: this run fails, naming it; the sweep goes on. */
      const stuck = yield* Ref.make<string | undefined>(undefined)
      const token = yield* Ref.make<string | undefined>(undefined)
      /** Locks the run for its writer unless another process holds it, or has finished it meanwhile. */
      const admit = (holder: LockHolder) =>
        Effect.gen(function*() {
          const taken = yield* takeRunLock(run.folder, holder).pipe(
            Effect.catchTag("RunLocked", (error) =>
              Effect.sync(() => {
                emit({ _tag: "RunSkipped", run, reason: error.message })
                return undefined
              })),
            Effect.catchTag("RunLockStuck", (error) => Ref.set(stuck, error.message).pipe(Effect.as(undefined)))
          )
          if (taken === undefined) return false
          yield* Ref.set(token, taken)
          if ((yield* finishedRecord(run)) !== undefined) {
            emit({ _tag: "RunSkipped", run, reason: "finished by another sweep" })
            return false
          }
          emit({ _tag: "RunStarted", run })
          return true
        })
      const declined = Ref.get(stuck).pipe(Effect.map((error) => error === undefined ? false as const : { error }))
      // true: ran; false: skipped; { error }: failed. The lock is released when the scope closes: after the
      // writer has exited (runInWorker stops and awaits its worker first), before the run is announced as finished.
      const ran = yield* Effect.scoped(Effect.gen(function*() {
        yield* makeFolder(run.folder)
        yield* Effect.addFinalizer(() =>
          Ref.get(token).pipe(Effect.map((held) => held === undefined ? undefined : releaseRunLock(run.folder, held)))
        )
        const identity = {
          name: preset.name,
          // A one-run preset's record describes the preset; a sweep's names the cell.
          description: preset.sweep === undefined ? preset.description : `${preset.description} Cell: ${run.cell}.`,
          references: run.references
        }
        const onEpoch = (epoch: WorkerEpoch) => emit({ _tag: "Epoch", run, epoch })
        const { inProcess } = options
        if (inProcess === undefined) {
          const job: WorkerJob = {
            pipeline: identity.name,
            description: identity.description,
            references: identity.references,
            config: run.config,
            folder: run.folder,
            ...(options.data === undefined ? {} : { data: options.data })
          }
          // The lock names the worker, the process that writes the folder: it stays valid while the worker lives.
          const outcome = yield* runInWorker(job, { onEpoch, admit: (pid) => admit(processHolder(pid)) }).pipe(
            Effect.catchTag("RunFailed", (error) => Effect.succeed({ error: error.detail }))
          )
          return outcome === "declined" ? yield* declined : outcome === "finished" ? true : outcome
        }
        if (!(yield* admit(currentProcess()))) return yield* declined
        yield* runPipeline(identity, run.config, {
          out: run.folder,
          folder: run.folder,
          ...(options.data === undefined ? {} : { data: options.data }),
          ...(inProcess.onSteps === undefined ? {} : { onSteps: inProcess.onSteps }),
          onEpoch: (metrics, config, learningRate) =>
            Effect.sync(() =>
              onEpoch({
                _tag: "Epoch",
                epoch: metrics.epoch,
                epochs: config.training.epochs,
                seconds: metrics.seconds,
                validationError: metrics.validationError
              })
            ).pipe(Effect.andThen(inProcess.onEpoch?.(metrics, config, learningRate) ?? Effect.void))
        })
        return true
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
  // Units that unlock followers go first: a leader is the longest chain, and seeds that are ready
  // anyway fill the other permits while it selects, instead of leaving one idle after them.
  const unlocks = (run: SweepRun) => Number(followersOf(run).length > 0)
  const order = [...plan.runs].sort((a, b) => unlocks(b) - unlocks(a))
  yield* Effect.forEach(order, (run) =>
    Effect.gen(function*() {
      const record = yield* execute(run)
      const followers = followersOf(run)
      if (record === undefined || followers.length === 0) return
      const resolved = followers.map((f) => placed({ ...f.planned, config: reuseSelection(f.planned.config, record) }, folder))
      known.push(...resolved)
      yield* writeIndex()
      yield* Effect.forEach(resolved, execute, { concurrency: options.inProcess === undefined ? "unbounded" : 1, discard: true })
    }), { concurrency: parallel, discard: true })
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
