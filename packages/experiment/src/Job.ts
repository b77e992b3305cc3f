/** What the sweep hands a worker process, and what the worker prints back per epoch. */
import { Reference, RunConfig } from "@rectifier/record"
import { Schema } from "effect"

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
export type WorkerJob = typeof WorkerJob.Type

/** A line the worker prints per epoch. */
export const WorkerEpoch = Schema.Struct({
  epoch: Schema.Int,
  epochs: Schema.Int,
  seconds: Schema.Number,
  validationError: Schema.Number
})
export type WorkerEpoch = typeof WorkerEpoch.Type

