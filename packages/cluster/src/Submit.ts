/**
 * The submit side: plans a sweep exactly as a local sweep does (`planSweep`,
 * the same run keys and folders, under the shared runs folder), starts one
 * workflow per unfinished run (joining any already running), follows the
 * runs on the run board to emit the local sweep's progress events, plans
 * the paper protocol's followers once their leaders have finished, and
 * writes the same report with `writeReport`.
 */
import { NodeClusterSocket } from "@effect/platform-node"
import {
  planSweep,
  plannedPerCell,
  type Preset,
  readRunRecord,
  type SweepEvent,
  type SweepRun,
  writeReport,
  writeSweepIndex
} from "@rectifier/experiment"
import { runFailure } from "@rectifier/record"
import { Effect, Fiber, FileSystem, Layer, Option } from "effect"
import { ClusterWorkflowEngine } from "effect/cluster"
import { basename, join } from "node:path"
import { RunBoard } from "./RunBoard.ts"
import { shardingConfig } from "./Runner.ts"
import { SweepRunWorkflow } from "./SweepRunWorkflow.ts"

export interface SubmitOptions {
  /** The shared runs folder: receives `<out>/<pipeline>/`, as every runner's `--runs-dir`. */
  readonly out: string
  readonly overrides?: unknown
  readonly seeds?: ReadonlyArray<number>
  readonly onEvent?: (event: SweepEvent) => void
}

/** The engine as a client: sends runs and reads their replies, runs nothing itself. */
export const submitLayer = Layer.mergeAll(ClusterWorkflowEngine.layer, RunBoard.layer).pipe(
  Layer.provideMerge(NodeClusterSocket.layer({ clientOnly: true, storage: "sql", shardingConfig }))
)

export const submitSweep = Effect.fn("Cluster.submitSweep")(function*(preset: Preset, options: SubmitOptions) {
  const fs = yield* FileSystem.FileSystem
  const board = yield* RunBoard
  const emit = options.onEvent ?? (() => {})
  const finished = (run: SweepRun) => fs.exists(join(run.folder, "results.json"))
  const first = yield* planSweep(preset, options)
  yield* fs.makeDirectory(first.folder, { recursive: true })
  const total = first.runs.length + first.waiting.length
  const perCell = plannedPerCell(first)
  yield* writeSweepIndex(first.folder, preset.name, perCell, first.runs)
  let finishedBefore = 0
  for (const run of first.runs) if (yield* finished(run)) finishedBefore++
  emit({ _tag: "Planned", total, finished: finishedBefore, folder: first.folder })

  const following = new Map<string, SweepRun>()
  const seen = new Map<string, { state: string; epoch: number | null }>()
  const follow = Effect.gen(function*() {
    for (const row of yield* board.list(preset.name)) {
      const run = following.get(row.key)
      if (run === undefined) continue
      const before = seen.get(row.key)
      seen.set(row.key, { state: row.state, epoch: row.epoch })
      if (row.state === "running" && before?.state !== "running") emit({ _tag: "RunStarted", run })
      if (row.epoch === null || row.epochs === null || row.validationError === null) continue
      // One event per epoch since the last poll (the board keeps the last only; seconds are not on it).
      const from = before?.epoch ?? (row.firstEpoch ?? row.epoch) - 1
      for (let epoch = from + 1; epoch <= row.epoch; epoch++) {
        emit({ _tag: "Epoch", run, epoch: { _tag: "Epoch", epoch, epochs: row.epochs, seconds: 0, validationError: row.validationError } })
      }
    }
  }).pipe(Effect.delay("500 millis"), Effect.forever, Effect.forkChild)
  const follower = yield* follow

  let executed = 0
  const failures: Array<{ readonly name: string; readonly reason: string }> = []
  const submitted = new Set<string>()
  /** Runs one planned run on the cluster unless its folder holds a record already. */
  const execute = (run: SweepRun) =>
    Effect.gen(function*() {
      if (yield* finished(run)) return
      executed++
      following.set(run.key, run)
      const generation = yield* board.queued({ key: run.key, pipeline: preset.name, name: run.name })
      const outcome = yield* SweepRunWorkflow.execute({
        key: run.key,
        generation,
        name: run.name,
        job: {
          pipeline: preset.name,
          description: `${preset.description} Cell: ${run.cell}.`,
          references: run.references,
          config: run.config,
          folder: `${preset.name}/${basename(run.folder)}`
        }
      })
      const record = yield* Effect.option(readRunRecord(run.folder))
      const reason = outcome.failure ??
        (Option.isNone(record) ? "the runner left no record" : runFailure(record.value))
      if (reason !== undefined) {
        // Marked failed here too (a run whose outcome is stored but whose record is gone), so a new submission retries it.
        yield* board.ended(run.key, "failed", reason)
        failures.push({ name: run.name, reason })
        emit({ _tag: "RunFailed", run, reason })
      } else if (Option.isSome(record)) emit({ _tag: "RunFinished", run, record: record.value })
    })

  // Rounds: every planned run at once; then the followers their finished leaders unlocked.
  let plan = first
  while (true) {
    const fresh = plan.runs.filter((run) => !submitted.has(run.key))
    if (fresh.length === 0) break
    for (const run of fresh) submitted.add(run.key)
    yield* Effect.forEach(fresh, execute, { concurrency: "unbounded", discard: true })
    plan = yield* planSweep(preset, options)
    yield* writeSweepIndex(plan.folder, preset.name, perCell, plan.runs)
  }
  yield* Fiber.interrupt(follower)
  const report = yield* writeReport(preset, plan.folder, plan.runs, {
    waiting: plan.waiting.map((w) => `${w.planned.cell}, seed ${w.planned.config.seed}`),
    failures
  })
  return { folder: plan.folder, runs: plan.runs, executed, failed: failures, report }
})
