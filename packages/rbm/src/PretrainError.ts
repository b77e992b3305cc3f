/** Typed failures of pre-training. */
import { Schema } from "effect"

/** The configuration or the data handed to the pre-trainer do not fit. */
export class InvalidPretrainInput extends Schema.TaggedError<InvalidPretrainInput>()("InvalidPretrainInput", {
  field: Schema.String,
  problem: Schema.String
}) {
  override get message(): string {
    return `pre-training ${this.field}: ${this.problem}`
  }
}

/**
 * An auto-encoder layer whose reconstruction error became NaN or infinite
 * with every learning rate it tried: its weights would poison the net they
 * initialise, so pre-training stops there.
 */
export class PretrainDiverged extends Schema.TaggedError<PretrainDiverged>()("PretrainDiverged", {
  /** From 1, bottom first. */
  layer: Schema.Int,
  learningRates: Schema.Array(Schema.Number),
  /** The first epoch (from 1) whose error was not finite, for each rate in order. */
  epochs: Schema.Array(Schema.Int)
}) {
  override get message(): string {
    const tried = this.learningRates.map((rate, i) => `${rate} (epoch ${this.epochs[i]})`).join(", ")
    return `pre-training layer ${this.layer} diverged with every learning rate it tried: ${tried}; ` +
      "its reconstruction error is NaN or infinite. Try a smaller rate, or several (pretraining.learningRates)"
  }
}
