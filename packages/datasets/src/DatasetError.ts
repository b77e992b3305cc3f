/**
 * Typed failures of dataset loading; each names the file and what was
 * expected. Each carries `CliError.userMessage`, so the `datasets` commands
 * print it (one line) before exiting non-zero.
 */
import { Schema } from "effect"
import { CliError } from "effect/cli"

/** A file's contents are not what its format requires. */
export class MalformedFile extends Schema.TaggedError<MalformedFile>()("MalformedFile", {
  file: Schema.String,
  problem: Schema.String
}) {
  override get message(): string {
    return `${this.file}: ${this.problem}`
  }
  override get [CliError.userMessage](): string {
    return this.message
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
  override get [CliError.userMessage](): string {
    return this.message
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
  override get [CliError.userMessage](): string {
    return this.message
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
  override get [CliError.userMessage](): string {
    return this.message
  }
}

/** A file could not be downloaded from any of its addresses. */
export class DownloadFailed extends Schema.TaggedError<DownloadFailed>()("DownloadFailed", {
  file: Schema.String,
  url: Schema.String,
  reason: Schema.String,
  destination: Schema.String
}) {
  override get message(): string {
    return `${this.file}: download from ${this.url} failed (${this.reason}); ` +
      `to work offline, put a copy of the file at ${this.destination}`
  }
  override get [CliError.userMessage](): string {
    return this.message
  }
}

/** Downloads are switched off and a file is not in the cache. */
export class NotCached extends Schema.TaggedError<NotCached>()("NotCached", {
  file: Schema.String,
  url: Schema.String,
  destination: Schema.String
}) {
  override get message(): string {
    return `${this.file} is not in the cache and downloads are off: download ${this.url} and put it at ${this.destination}`
  }
  override get [CliError.userMessage](): string {
    return this.message
  }
}

/** A dataset name that the registry does not know. */
export class UnknownDataset extends Schema.TaggedError<UnknownDataset>()("UnknownDataset", {
  name: Schema.String,
  known: Schema.Array(Schema.String)
}) {
  override get message(): string {
    return `unknown dataset "${this.name}"; expected one of ${this.known.join(", ")}`
  }
  override get [CliError.userMessage](): string {
    return this.message
  }
}

export type DatasetError =
  | MalformedFile
  | ChecksumMismatch
  | DatasetFileUnreadable
  | InvalidSplit
  | DownloadFailed
  | NotCached
  | UnknownDataset
