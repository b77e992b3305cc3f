/**
 * A runner: a process that joins the cluster (socket transport, message and
 * runner storage in PostgreSQL) and executes the sweep runs the engine
 * assigns to its shards, at most `parallel` at once, each in a worker process
 * writing its run folder under the shared runs folder. A run is one activity
 * of its workflow: when a runner dies mid-run, the engine hands its shards to
 * another runner, the workflow replays, the activity (which left no result)
 * runs again, and the trainer resumes from the folder's last checkpoint.
 */
import { NodeClusterSocket } from "@effect/platform-node"
import { executeJob, RunLocked, type WorkerJob } from "@rectifier/experiment"
import { Duration, Effect, Layer, Option, Schedule, Semaphore } from "effect"
import { ClusterWorkflowEngine, RunnerAddress } from "effect/cluster"
import { Activity } from "effect/workflow"
import { join } from "node:path"
import { RunBoard } from "./RunBoard.ts"
import { SweepRunWorkflow } from "./SweepRunWorkflow.ts"

export interface RunnerOptions {
  /** Host and port other runners reach this one at. */
  readonly host: string
  readonly port: number
  /** The shared runs folder (the submitter's `--out`), mounted here. */
  readonly runsDir: string
  readonly parallel: number
  /** This runner's dataset sources (its own cache, mirrors). */
  readonly data?: WorkerJob["data"]
}

/**
 * Timings for a cluster of a few long-running runs: a dead runner is noticed
 * within seconds (health pings, shard locks) rather than the defaults' minute,
 * new messages are picked up within a second, and a drained runner hands its
 * runs over after 1 s (the engine's default waits 15 s for them to finish,
 * which a run of hours never does; what is lost is the epoch in progress).
 */
export const shardingConfig = {
  runnerHealthCheckInterval: Duration.seconds(2),
  refreshAssignmentsInterval: Duration.seconds(1),
  shardLockRefreshInterval: Duration.seconds(2),
  shardLockExpiration: Duration.seconds(8),
  entityMessagePollInterval: Duration.millis(500),
  entityReplyPollInterval: Duration.millis(250),
  entityMaxIdleTime: Duration.minutes(30),
  entityTerminationTimeout: Duration.seconds(1),
  shardsPerGroup: 60
}

/** The workflow's implementation on this runner. */
const sweepRunLayer = (options: RunnerOptions, runner: string) =>
  Layer.unwrap(Effect.gen(function*() {
    const permits = yield* Semaphore.make(Math.max(1, options.parallel))
    return SweepRunWorkflow.toLayer(Effect.fn("SweepRun.execute")(function*(payload) {
      const board = yield* RunBoard
      const job: WorkerJob = {
        ...payload.job,
        folder: join(options.runsDir, payload.job.folder),
        ...(options.data === undefined ? {} : { data: options.data })
      }
      const services = yield* Effect.context<RunBoard>()
      const train = Activity.make({
        name: "train",
        success: SweepRunWorkflow.successSchema,
        execute: Effect.gen(function*() {
          yield* board.started(payload.key, runner)
          const failure = yield* executeJob(job, (epoch) => {
            Effect.runForkWith(services)(board.epoch(payload.key, epoch.epoch, epoch.epochs, epoch.validationError))
          }).pipe(
            // A worker of the runner that died may still be stopping: wait for its lock to go stale.
            Effect.retry({ while: (error) => error instanceof RunLocked, schedule: Schedule.spaced("1 second"), times: 30 }),
            Effect.as(undefined),
            Effect.catch((error) => Effect.succeed(error.message))
          )
          yield* board.ended(payload.key, failure === undefined ? "finished" : "failed", failure)
          return failure === undefined ? { runner } : { runner, failure }
        }).pipe(Semaphore.withPermit(permits))
      })
      return yield* train
    }))
  }))

/** Everything a runner process runs, given the SQL client. */
export const runnerLayer = (options: RunnerOptions) => {
  const runner = `${options.host}:${options.port}`
  return sweepRunLayer(options, runner).pipe(
    Layer.provide(RunBoard.layer),
    Layer.provide(ClusterWorkflowEngine.layer),
    Layer.provide(NodeClusterSocket.layer({
      storage: "sql",
      shardingConfig: { ...shardingConfig, runnerAddress: Option.some(RunnerAddress.make(options.host, options.port)) }
    }))
  )
}
