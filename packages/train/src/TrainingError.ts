/** Typed failures of supervised training. */
import { Schema } from "effect"

/** The cost became NaN or infinite. */
export class TrainingDiverged extends Schema.TaggedError<TrainingDiverged>()("TrainingDiverged", {
  epoch: Schema.Int,
  step: Schema.Int,
  loss: Schema.Number
}) {
  override get message(): string {
    return `training diverged at epoch ${this.epoch}, step ${this.step}: the cost is ${this.loss}; try a smaller learning rate`
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
