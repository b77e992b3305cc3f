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
