/** Typed failures of dataset loading; each names the file and what was expected. */
import { Schema } from "effect"

/** A file's contents are not what its format requires. */
export class MalformedFile extends Schema.TaggedError<MalformedFile>()("MalformedFile", {
  file: Schema.String,
  problem: Schema.String
}) {
  override get message(): string {
    return `${this.file}: ${this.problem}`
  }
}

/** A file's checksum differs from the official one. */
export class ChecksumMismatch extends Schema.TaggedError<ChecksumMismatch>()("ChecksumMismatch", {
  file: Schema.String,
  algorithm: Schema.String,
  expected: Schema.String,
  actual: Schema.String
}) {
  override get message(): string {
    return `${this.file}: ${this.algorithm} is ${this.actual}, expected ${this.expected}; the file is corrupt or not the official one`
  }
}

/** A file could not be read at all. */
export class DatasetFileUnreadable extends Schema.TaggedError<DatasetFileUnreadable>()("DatasetFileUnreadable", {
  file: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `${this.file}: cannot be read (${this.reason})`
  }
}

/** A requested subset or split does not fit the data. */
export class InvalidSplit extends Schema.TaggedError<InvalidSplit>()("InvalidSplit", {
  dataset: Schema.String,
  problem: Schema.String
}) {
  override get message(): string {
    return `${this.dataset}: ${this.problem}`
  }
}

export type DatasetError = MalformedFile | ChecksumMismatch | DatasetFileUnreadable | InvalidSplit
