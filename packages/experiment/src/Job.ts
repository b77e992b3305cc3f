/**
 * The worker protocol: what a sweep hands a worker process (`WorkerStart`,
 * one JSON line on its stdin, written once the run is locked in the worker's
 * name) and what the worker prints back on stdout, one JSON line each
 * (`WorkerMessage`: an epoch's progress, then its outcome). Both sides decode
 * with these schemas; a line that is not a message (a library's notice) is ignored.
 */
import { Reference, RunConfig } from "@rectifier/record"
import { Schema } from "effect"

/** One run as a worker process executes it: the pipeline, its record's description and references, the resolved configuration and the run folder. */
export const WorkerJob = Schema.Struct({
  pipeline: Schema.String,
  description: Schema.String,
  references: Schema.Array(Reference),
  config: RunConfig,
  folder: Schema.String,
  /** Where the worker's dataset files come from (RunData.ts's DataSource, the parts a command line sets). */
  data: Schema.optionalKey(Schema.Struct({
    dataDir: Schema.optionalKey(Schema.String),
    mirrors: Schema.optionalKey(Schema.Array(Schema.String)),
    offline: Schema.optionalKey(Schema.Boolean)
  }))
})
/** A decoded {@link WorkerJob}. */
export type WorkerJob = typeof WorkerJob.Type

/** The sweep's go: the job to run, sent once the worker holds the run lock. */
export const WorkerStart = Schema.TaggedStruct("Start", { job: WorkerJob })
export type WorkerStart = typeof WorkerStart.Type

/** An epoch the worker finished. */
export const WorkerEpoch = Schema.TaggedStruct("Epoch", {
  epoch: Schema.Int,
  epochs: Schema.Int,
  seconds: Schema.Number,
  validationError: Schema.Number
})
export type WorkerEpoch = typeof WorkerEpoch.Type

/** The run finished and its record is in the folder. */
export const WorkerFinished = Schema.TaggedStruct("Finished", {})

/** The run failed (diverged, learned nothing, or an error), with the error's message. */
export const WorkerFailed = Schema.TaggedStruct("Failed", { message: Schema.String })

/** A line a worker prints to its sweep: an epoch, or how the run ended. */
export const WorkerMessage = Schema.Union([WorkerEpoch, WorkerFinished, WorkerFailed])
/** A line a worker prints to its sweep, decoded. */
export type WorkerMessage = typeof WorkerMessage.Type
