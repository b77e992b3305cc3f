/** Typed failures of the benchmark command line. */
import { Schema } from "effect"

/** A flag or command the benchmark does not understand. */
export class BenchUsageError extends Schema.TaggedError<BenchUsageError>()("BenchUsageError", {
  flag: Schema.String,
  expected: Schema.String,
  got: Schema.String
}) {
  override get message(): string {
    return `bench: ${this.flag} expects ${this.expected}, got "${this.got}"`
  }
}
