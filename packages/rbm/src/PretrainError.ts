/** Typed failures of pre-training and of reading or writing pre-trained weights. */
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

/** A saved weights folder could not be written, read, or does not hold what its manifest says. */
export class WeightsFileError extends Schema.TaggedError<WeightsFileError>()("WeightsFileError", {
  file: Schema.String,
  problem: Schema.String
}) {
  override get message(): string {
    return `${this.file}: ${this.problem}`
  }
}
