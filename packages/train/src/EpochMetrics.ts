/** What the trainer measures after each epoch (kept in checkpoints and run records). */
import { Schema } from "effect"
import { EpochDiagnostics } from "./Diagnostics.ts"

/**
 * One epoch of a run: `epoch` counts from 1, the errors are fractions of
 * misclassified examples, times are wall-clock seconds; `diagnostics` only
 * when they are on.
 */
export const EpochMetrics = Schema.Struct({
  epoch: Schema.Int,
  /** Mean cost (NLL + L1 term) over the epoch's minibatches. */
  trainLoss: Schema.Number,
  validationError: Schema.Number,
  testError: Schema.Number,
  /** Wall time of the epoch, evaluation and diagnostics included. */
  seconds: Schema.Number,
  /** Mean wall time of one training step (minibatch update). */
  stepSeconds: Schema.optionalKey(Schema.Number),
  /** Resident set size of the process after the epoch, in bytes. */
  rssBytes: Schema.optionalKey(Schema.Number),
  diagnostics: Schema.optionalKey(EpochDiagnostics)
})
export type EpochMetrics = typeof EpochMetrics.Type
