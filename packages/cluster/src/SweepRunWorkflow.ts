/**
 * One run of a sweep as a durable workflow of the engine: its execution id
 * comes from the run identity (the run key: configuration plus numerics
 * version), so submitting a run twice joins the first submission, and a run
 * is never computed twice. A run that failed (its worker failed, no record)
 * keeps its outcome in the engine, so submitting it again is a new workflow:
 * its generation (the failed submissions before it, from the run board)
 * joins the key. The job names its folder relative to the shared
 * runs folder, which every runner mounts where it likes (`--runs-dir`).
 */
import { WorkerJob } from "@rectifier/experiment"
import { Schema } from "effect"
import { Workflow } from "effect/workflow"

/** A job whose `folder` is relative to the runs folder: `<pipeline>/<run folder name>`. */
export const SweepRunPayload = Schema.Struct({
  key: Schema.String,
  generation: Schema.Int,
  name: Schema.String,
  job: WorkerJob
})
export type SweepRunPayload = typeof SweepRunPayload.Type

/** How a run ended; its numbers are in its folder's results.json. */
export const SweepRunOutcome = Schema.Struct({
  runner: Schema.String,
  failure: Schema.optionalKey(Schema.String)
})
export type SweepRunOutcome = typeof SweepRunOutcome.Type

export const SweepRunWorkflow = Workflow.make("rectifier/SweepRun", {
  payload: SweepRunPayload,
  success: SweepRunOutcome,
  idempotencyKey: (payload) => payload.generation === 0 ? payload.key : `${payload.key}/${payload.generation}`
})
