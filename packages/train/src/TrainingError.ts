/** Typed failures of supervised training. */
import { Schema } from "effect"

/** The cost, or a weight, became NaN or infinite. */
export class TrainingDiverged extends Schema.TaggedError<TrainingDiverged>()("TrainingDiverged", {
  epoch: Schema.Int,
  step: Schema.Int,
  /** What went non-finite: "cost" or "weights". */
  quantity: Schema.Literals(["cost", "weights"]),
  /** The offending value as text ("NaN", "Infinity"). */
  value: Schema.String,
  learningRate: Schema.Number
}) {
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
