/** Typed failures of golden checks. */
import { Schema } from "effect"

export class GoldenMismatch extends Schema.TaggedError<GoldenMismatch>()("GoldenMismatch", {
  name: Schema.String,
  file: Schema.String,
  details: Schema.String
}) {
  override get message(): string {
    return `golden case ${this.name} no longer reproduces ${this.file}:\n${this.details}\n` +
      "If the change was intended, run `pnpm run golden update` and commit the files."
  }
}

export class GoldenMissing extends Schema.TaggedError<GoldenMissing>()("GoldenMissing", {
  name: Schema.String,
  file: Schema.String
}) {
  override get message(): string {
    return `golden case ${this.name} has no golden file ${this.file}; run \`pnpm run golden update\``
  }
}
