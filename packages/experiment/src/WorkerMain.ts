/**
 * The body of a sweep's worker process, loaded by Worker.ts once the sweep
 * has locked the run for it: runs the job, prints one JSON line per epoch on
 * stdout, writes the run folder (results.json last, atomically), and exits 0
 * only on success. The heavy imports (tfjs, the stages) live here, so the
 * bootstrap can check its parent before paying for them.
 */
import { NodeServices } from "@effect/platform-node"
import { Effect, Schema } from "effect"
import { WorkerJob, type WorkerEpoch } from "./Job.ts"
import { runPipeline } from "./Pipeline.ts"

const program = (jobText: string) => Effect.gen(function*() {
  const job = yield* Schema.decodeUnknownEffect(Schema.fromJsonString(WorkerJob))(jobText)
  yield* runPipeline(
    { name: job.pipeline, description: job.description, references: job.references },
    job.config,
    {
      out: job.folder,
      folder: job.folder,
      ...(job.data === undefined ? {} : { data: job.data }),
      onEpoch: (metrics, config) =>
        Effect.sync(() => {
          const line: WorkerEpoch = {
            epoch: metrics.epoch,
            epochs: config.training.epochs,
            seconds: metrics.seconds,
            validationError: metrics.validationError
          }
          process.stdout.write(JSON.stringify(line) + "\n")
        })
    }
  )
})

/** Runs the job and exits: 0 on success, 1 with the error's message on stderr. */
export const runJob = (jobText: string): void => {
  Effect.runPromise(program(jobText).pipe(Effect.provide(NodeServices.layer))).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
      process.exit(1)
    }
  )
}
