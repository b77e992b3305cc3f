/**
 * The benchmark's child process, `node main.ts worker <job JSON>`: Measure.ts
 * starts one per measurement so that each has a process (and a peak RSS) of
 * its own. Not a user command; people run `pnpm run bench` (BenchCommand.ts).
 */
import { NodeServices } from "@effect/platform-node"
import { Effect, Schema } from "effect"
import { Job, runJob } from "./Worker.ts"

const decodeJob = Schema.decodeUnknownEffect(Schema.fromJsonString(Job))

const [entry, job] = process.argv.slice(2)
if (entry !== "worker" || job === undefined) {
  console.error("main.ts runs one benchmark job for `pnpm run bench` (main.ts worker <job JSON>); see `pnpm run bench --help`")
  process.exitCode = 2
} else {
  Effect.runPromise(decodeJob(job).pipe(Effect.flatMap(runJob), Effect.provide(NodeServices.layer))).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error))
    process.exitCode = 1
  })
}
