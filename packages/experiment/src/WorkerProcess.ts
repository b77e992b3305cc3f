/**
 * Runs one planned run's `WorkerJob` in a worker process (Worker.ts), through
 * Effect's child-process module: the local sweep uses it for each run, and a
 * runner elsewhere (a cluster node) can use it the same way.
 *
 * The worker is started and waits, before its heavy imports, for its start
 * line; `admit` sees its process id first (the sweep takes the run lock in
 * the worker's name there) and may decline the run, and only then is the job
 * written. Progress and the outcome come back as `WorkerMessage` lines
 * (Job.ts), decoded here. The worker stays in the caller's process group and
 * watches its stdin and parent, so it exits when the caller dies however it
 * dies; when this effect ends (done, failed or interrupted) the worker is
 * stopped and awaited before it returns, so whatever the caller releases
 * afterwards (the run lock) never outlives the worker.
 */
import { Effect, Fiber, Option, Ref, Schema, Stream } from "effect"
import { ChildProcess, ChildProcessSpawner } from "effect/process"
import { type WorkerEpoch, type WorkerJob, WorkerMessage, WorkerStart } from "./Job.ts"
import { RunFailed } from "./PipelineError.ts"

// The worker beside this module: Worker.ts in the sources, Worker.js in the built package.
const workerEntry = new URL(`./Worker${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url).pathname
const decodeMessage = Schema.decodeUnknownOption(Schema.fromJsonString(WorkerMessage))
const encodeStart = Schema.encodeSync(Schema.fromJsonString(WorkerStart))
/** The end of a worker's stderr kept for a failure's report. */
const stderrKept = 4000

/** What `runInWorker` reports to its caller, and where the caller may decline the run. */
export interface WorkerRunOptions<E = never, R = never> {
  /** Called with each epoch the worker finishes. */
  readonly onEpoch?: (epoch: WorkerEpoch) => void
  /**
   * Called with the worker's process id before it loads anything; false
   * declines the run (the worker is stopped, nothing runs). Default: run.
   */
  readonly admit?: (pid: number) => Effect.Effect<boolean, E, R>
}

/**
 * Runs `job` in a fresh worker process: "finished" once it exits 0 after
 * saying so (its record is in `job.folder`), "declined" when `admit` said no,
 * or `RunFailed` with the worker's error and the end of its stderr.
 */
export const runInWorker = Effect.fn("Worker.run")(function*<E = never, R = never>(
  job: WorkerJob,
  options: WorkerRunOptions<E, R> = {}
) {
  const spawner = yield* ChildProcessSpawner.ChildProcessSpawner
  const failed = (detail: string) => new RunFailed({ folder: job.folder, detail })
  const handle = yield* spawner.spawn(
    ChildProcess.make(process.execPath, [workerEntry, job.folder, String(process.pid)], {
      // In the caller's process group, as any child: a terminal's Ctrl-C reaches it too.
      detached: false,
      // Kept open after the start line: its end tells the worker that its caller is gone.
      stdin: { stream: "pipe", endOnDone: false }
    })
  ).pipe(Effect.mapError((error) => failed(`the worker could not start: ${error.message}`)))
  const stderr = yield* Ref.make("")
  const stderrDrained = yield* handle.stderr.pipe(
    Stream.decodeText(),
    Stream.runForEach((chunk) => Ref.update(stderr, (text) => (text + chunk).slice(-stderrKept))),
    Effect.ignore,
    Effect.forkScoped
  )
  const outcome = yield* Ref.make<WorkerMessage | undefined>(undefined)
  const stdoutDrained = yield* handle.stdout.pipe(
    Stream.decodeText(),
    Stream.splitLines,
    Stream.runForEach((line) => {
      const message = decodeMessage(line)
      if (Option.isNone(message)) return Effect.void
      if (message.value._tag === "Epoch") return Effect.sync(() => options.onEpoch?.(message.value as WorkerEpoch))
      return Ref.set(outcome, message.value)
    }),
    Effect.ignore,
    Effect.forkScoped
  )
  if (options.admit !== undefined && !(yield* options.admit(handle.pid))) return "declined" as const
  yield* Stream.make(new TextEncoder().encode(encodeStart({ _tag: "Start", job }) + "\n")).pipe(
    Stream.run(handle.stdin),
    Effect.ignore // a worker that exited early: its exit status says why
  )
  const exit = yield* handle.exitCode.pipe(Effect.result)
  yield* Fiber.join(stdoutDrained)
  yield* Fiber.join(stderrDrained)
  const message = yield* Ref.get(outcome)
  const tail = (yield* Ref.get(stderr)).trim()
  const withStderr = (detail: string) => tail === "" || detail.includes(tail) ? detail : `${detail}\n${tail}`
  if (exit._tag === "Failure") return yield* failed(withStderr(exit.failure.message))
  if (exit.success === 0 && message?._tag === "Finished") return "finished" as const
  return yield* failed(
    message?._tag === "Failed" ? withStderr(message.message) : withStderr(`exit ${exit.success} without an outcome`)
  )
}, Effect.scoped)
