/**
 * One run of a sweep, in its own process: `node Worker.ts '<job json>'`.
 * tfjs's engine and backend are process-global, so runs in parallel need
 * separate processes. Prints one JSON line per epoch on stdout, writes the
 * run folder (results.json last, atomically), and exits 0 only on success.
 * Exits at once if the sweep that started it goes away.
 */
import { NodeServices } from "@effect/platform-node"
import { runPipeline } from "@rectifier/pipeline"
import { Effect, Schema } from "effect"
import { WorkerJob, type WorkerEpoch } from "./Job.ts"

const parent = process.ppid
const watchdog = setInterval(() => {
  if (process.ppid !== parent) process.exit(70)
}, 1000)
watchdog.unref()

const program = Effect.gen(function*() {
  const job = yield* Schema.decodeUnknownEffect(Schema.fromJsonString(WorkerJob))(process.argv[2] ?? "")
  yield* runPipeline(
    { name: job.pipeline, description: job.description, overrides: {}, references: job.references },
    job.config,
    {
      out: job.folder,
      folder: job.folder,
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

Effect.runPromise(program.pipe(Effect.provide(NodeServices.layer))).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  }
)
