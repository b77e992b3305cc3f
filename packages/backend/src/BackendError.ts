/** Typed failures of backend selection. */
import { Schema } from "effect"

/** The named backend could not be loaded or initialised on this machine. */
export class BackendUnavailable extends Schema.TaggedError<BackendUnavailable>()("BackendUnavailable", {
  backend: Schema.String,
  reason: Schema.String,
  hint: Schema.optional(Schema.String)
}) {
  override get message(): string {
    return `The tensor backend "${this.backend}" cannot be used here: ${this.reason}` +
      (this.hint === undefined ? "" : `\nHint: ${this.hint}`)
  }
}
