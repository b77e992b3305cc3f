/**
 * The body of a sweep's worker process, loaded by Worker.ts once the sweep
 * has locked the run for it: decodes the start line, runs the job, prints a
 * `WorkerMessage` line per epoch and one for the outcome on stdout, writes the
 * run folder (results.json last, atomically), and exits 0 only on success.
 * The heavy imports (tfjs, the stages) live here, so the bootstrap can check
 * its parent before paying for them.
 */
import { NodeServices } from "@effect/platform-node"
import { describeError } from "@rectifier/core"
import { Effect, Schema } from "effect"
import { WorkerMessage, WorkerStart } from "./Job.ts"
import { runPipeline } from "./Pipeline.ts"

const decodeStart = Schema.decodeUnknownEffect(Schema.fromJsonString(WorkerStart))
const encodeMessage = Schema.encodeSync(Schema.fromJsonString(WorkerMessage))
const send = (message: WorkerMessage) => process.stdout.write(encodeMessage(message) + "\n")

const program = (startLine: string) => Effect.gen(function*() {
  const { job } = yield* decodeStart(startLine)
  yield* runPipeline(
    { name: job.pipeline, description: job.description, references: job.references },
    job.config,
    {
      out: job.folder,
      folder: job.folder,
      ...(job.data === undefined ? {} : { data: job.data }),
      onEpoch: (metrics, config) =>
        Effect.sync(() =>
          send({
            _tag: "Epoch",
            epoch: metrics.epoch,
            epochs: config.training.epochs,
            seconds: metrics.seconds,
            validationError: metrics.validationError
          })
        )
    }
  )
})

/** Runs the job in `startLine` and exits: 0 after a `Finished` line, 1 after a `Failed` line with the error's message. */
export const runJob = (startLine: string): void => {
  Effect.runPromise(program(startLine).pipe(Effect.provide(NodeServices.layer))).then(
    () => {
      send({ _tag: "Finished" })
      process.exit(0)
    },
    (error: unknown) => {
      // describeError: a platform error keeps its errno code (ENOSPC, ENOTDIR), which Effect's message drops.
      send({ _tag: "Failed", message: describeError(error) })
      process.exit(1)
    }
  )
}
