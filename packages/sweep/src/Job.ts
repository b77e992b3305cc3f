/** What the sweep hands a worker process, and what the worker prints back per epoch. */
import { Reference, RunConfig } from "@rectifier/report"
import { Schema } from "effect"

export const WorkerJob = Schema.Struct({
  pipeline: Schema.String,
  description: Schema.String,
  references: Schema.Array(Reference),
  config: RunConfig,
  folder: Schema.String,
  /** Dataset mirrors tried before the official addresses. */
  mirrors: Schema.optionalKey(Schema.Array(Schema.String))
})
export type WorkerJob = typeof WorkerJob.Type

/** A line the worker prints per epoch. */
export interface WorkerEpoch {
  readonly epoch: number
  readonly epochs: number
  readonly seconds: number
  readonly validationError: number
}

