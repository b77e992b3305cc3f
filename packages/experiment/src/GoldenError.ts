/** Typed failures of golden checks. */
import { Schema } from "effect"

/** A golden case whose rerun differs from its golden file beyond the tolerance; `details` has one line per moved value. */
export class GoldenMismatch extends Schema.TaggedError<GoldenMismatch>()("GoldenMismatch", {
  name: Schema.String,
  file: Schema.String,
  details: Schema.String
}) {
  override get message(): string {
    return `golden case ${this.name} no longer reproduces ${this.file}:\n${this.details}\n` +
      "If the change was intended, bump NUMERICS_VERSION in packages/core/src/Numerics.ts, " +
      "run `pnpm run golden update` and commit both together."
  }
}

/** A golden case without its golden file. */
export class GoldenMissing extends Schema.TaggedError<GoldenMissing>()("GoldenMissing", {
  name: Schema.String,
  file: Schema.String
}) {
  override get message(): string {
    return `golden case ${this.name} has no golden file ${this.file}; run \`pnpm run golden update\``
  }
}

/** A golden file that cannot be read or does not decode as one. */
export class GoldenUnreadable extends Schema.TaggedError<GoldenUnreadable>()("GoldenUnreadable", {
  name: Schema.String,
  file: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `golden case ${this.name}: ${this.file} is not a golden file (${this.reason}); restore it from git, ` +
      "or delete it and run `pnpm run golden update`"
  }
}

/**
 * The numerics version and the numbers disagree: a golden file recorded
 * under another version than the code's (`golden check`), or numbers that
 * moved while the version stayed the same (`golden update`, which then
 * writes nothing; `details` says what moved).
 */
export class NumericsVersionStale extends Schema.TaggedError<NumericsVersionStale>()("NumericsVersionStale", {
  name: Schema.String,
  file: Schema.String,
  recorded: Schema.optional(Schema.Int),
  current: Schema.Int,
  details: Schema.String
}) {
  override get message(): string {
    return this.recorded === this.current
      ? `golden case ${this.name}: the numbers moved but NUMERICS_VERSION is still ${this.current}, so finished ` +
        `runs of the old numerics would be reused as if they were new:\n${this.details}\n` +
        "Bump NUMERICS_VERSION in packages/core/src/Numerics.ts and run `pnpm run golden update` again."
      : `golden case ${this.name}: ${this.file} was recorded under numerics version ${this.recorded ?? "(none)"}, ` +
        `the code is version ${this.current}; run \`pnpm run golden update\` and commit the files with the bump.`
  }
}
