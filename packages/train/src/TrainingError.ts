/** Typed failures of supervised training. */
import { Schema } from "effect"

/** Where training diverged: the first non-finite cost or weight, and the rate it ran at. */
export const Divergence = Schema.Struct({
  epoch: Schema.Int,
  step: Schema.Int,
  /** What went non-finite: "cost" or "weights". */
  quantity: Schema.Literals(["cost", "weights"]),
  /** The offending value as text ("NaN", "Infinity"). */
  value: Schema.String,
  learningRate: Schema.Number
})
export type Divergence = typeof Divergence.Type

/** The cost, or a weight, became NaN or infinite. */
export class TrainingDiverged extends Schema.TaggedError<TrainingDiverged>()("TrainingDiverged", Divergence.fields) {
  override get message(): string {
    return `training diverged at epoch ${this.epoch}, step ${this.step} (learning rate ${this.learningRate}): ` +
      `the ${this.quantity === "cost" ? "cost is" : "weights hold"} ${this.value}; try a smaller learning rate`
  }
}

/** The configuration does not fit the data. */
export class TrainingConfigInvalid extends Schema.TaggedError<TrainingConfigInvalid>()("TrainingConfigInvalid", {
  field: Schema.String,
  problem: Schema.String
}) {
  override get message(): string {
    return `training config field "${this.field}": ${this.problem}`
  }
}

/** A weights file pair could not be written, read, or does not hold what its manifest says. */
export class WeightsFileError extends Schema.TaggedError<WeightsFileError>()("WeightsFileError", {
  file: Schema.String,
  problem: Schema.String
}) {
  override get message(): string {
    return `${this.file}: ${this.problem}`
  }
}

/** A checkpoint that cannot be read back. */
export class CheckpointUnreadable extends Schema.TaggedError<CheckpointUnreadable>()("CheckpointUnreadable", {
  path: Schema.String,
  problem: Schema.String
}) {
  override get message(): string {
    return `cannot read the checkpoint file ${this.path}: ${this.problem}`
  }
}

/** A checkpoint that cannot be written. */
export class CheckpointUnwritable extends Schema.TaggedError<CheckpointUnwritable>()("CheckpointUnwritable", {
  path: Schema.String,
  problem: Schema.String
}) {
  override get message(): string {
    return `cannot write the checkpoint into ${this.path}: ${this.problem}`
  }
}

/**
 * A checkpoint that reads fine but belongs to another run: it was written for
 * a configuration whose hash differs from the run's now (config.json was
 * edited, or the folder holds another run's checkpoints).
 */
export class CheckpointMismatch extends Schema.TaggedError<CheckpointMismatch>()("CheckpointMismatch", {
  /** The checkpoint's state.json. */
  path: Schema.String,
  /** Where the run's configuration comes from (its config.json). */
  source: Schema.String,
  /** The configuration hash the checkpoint was written for. */
  value: Schema.String,
  /** The hash of the run's configuration now. */
  limit: Schema.String
}) {
  override get message(): string {
    return `the checkpoint ${this.path} was written for the configuration with hash ${this.value}, ` +
      `but ${this.source} now hashes to ${this.limit}: the configuration was changed after the run started, ` +
      `so resuming would give the record false provenance; restore ${this.source} or start a new run`
  }
}
