/**
 * Typed failures of dataset loading; each names the file and what was
 * expected. Each carries `CliError.userMessage`, so the `datasets` commands
 * print it (one line) before exiting non-zero.
 */
import { Schema } from "effect"
import { CliError } from "effect/cli"

const bytes = (n: number): string => `${n.toLocaleString("en")} bytes`

/** A file's contents are not what its format requires. */
export class MalformedFile extends Schema.TaggedError<MalformedFile>()("MalformedFile", {
  file: Schema.String,
  problem: Schema.String,
  /** For a download: the address (or addresses, for a resumed file) that sent the bytes. */
  source: Schema.optional(Schema.String)
}) {
  override get message(): string {
    const from = this.source === undefined ? "" : ` (sent by ${this.source})`
    return `${this.file}${from}: ${this.problem}`
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
  actual: Schema.String,
  /** For a download: the address (or addresses, for a resumed file) that sent the bytes. */
  source: Schema.optional(Schema.String)
}) {
  override get message(): string {
    const from = this.source === undefined ? "" : ` (sent by ${this.source})`
    return `${this.file}${from}: ${this.algorithm} is ${this.actual}, expected ${this.expected}; the file is corrupt or not the official one`
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

/** One address failed to deliver a file: unreachable, an HTTP error, a cut or short response. */
export class SourceFailed extends Schema.TaggedError<SourceFailed>()("SourceFailed", {
  url: Schema.String,
  reason: Schema.String,
  /** Whether another try at the same address may succeed (resuming what it sent). */
  transient: Schema.Boolean
}) {
  override get message(): string {
    return `${this.url} (${this.reason})`
  }
  override get [CliError.userMessage](): string {
    return this.message
  }
}

/** An address sent (or announced) more bytes than the file may have; the transfer was cut off. */
export class DownloadTooLarge extends Schema.TaggedError<DownloadTooLarge>()("DownloadTooLarge", {
  file: Schema.String,
  url: Schema.String,
  /** The most bytes the file may have. */
  limit: Schema.Number,
  /** Where the limit comes from, e.g. "the official size" or "its Content-Length". */
  basis: Schema.String,
  /** Bytes sent or announced, at least `limit + 1`. */
  received: Schema.Number,
  announced: Schema.Boolean
}) {
  override get message(): string {
    const what = this.announced ? `announced ${bytes(this.received)}` : `sent more than ${bytes(this.limit)} and was cut off`
    return `${this.url} ${what} for ${this.file}, whose limit is ${bytes(this.limit)} (${this.basis})`
  }
  override get [CliError.userMessage](): string {
    return this.message
  }
}

/** What one address did wrong, in a `DownloadFailed`. */
export const SourceFailure = Schema.Union([SourceFailed, DownloadTooLarge, ChecksumMismatch, MalformedFile])
export type SourceFailure = typeof SourceFailure.Type

/** Every address of a file failed; lists each with its own reason and says how to get the file anyway. */
export class DownloadFailed extends Schema.TaggedError<DownloadFailed>()("DownloadFailed", {
  dataset: Schema.String,
  file: Schema.String,
  /** One entry per address tried, in order. */
  sources: Schema.Array(SourceFailure),
  destination: Schema.String
}) {
  override get message(): string {
    const n = this.sources.length
    const name = this.file.slice(this.file.lastIndexOf("/") + 1)
    return `${this.dataset}: ${this.file} could not be downloaded; tried ${n} source${n === 1 ? "" : "s"}: ` +
      `${this.sources.map((source) => source.message).join("; ")}. Give a mirror that serves ${name} ` +
      `(--mirror BASE_URL, or the mirrors option) or put a copy of the file at ${this.destination} (it is checked before use)`
  }
  override get [CliError.userMessage](): string {
    return this.message
  }
}

/** A file of the cache could not be written (not for lack of space: see `DiskFull`). */
export class CacheWriteFailed extends Schema.TaggedError<CacheWriteFailed>()("CacheWriteFailed", {
  path: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `cannot write ${this.path} (${this.reason}); choose a writable --data-dir`
  }
  override get [CliError.userMessage](): string {
    return this.message
  }
}

/** The disk holding the cache filled up while a file was written; the partial file was removed. */
export class DiskFull extends Schema.TaggedError<DiskFull>()("DiskFull", {
  path: Schema.String,
  /** The system error code: ENOSPC, or EDQUOT for a quota. */
  code: Schema.String,
  /** Bytes of the file written before the disk filled, when known. */
  written: Schema.optional(Schema.Number)
}) {
  override get message(): string {
    const at = this.written === undefined ? "" : ` after ${bytes(this.written)}`
    return `disk full (${this.code}) writing ${this.path}${at}; the partial file was removed: free space there or choose another --data-dir`
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

/** An environment variable that says where datasets come from (`RECTIFIER_OFFLINE`, ...) has a value that cannot be used. */
export class DataSourceConfigInvalid extends Schema.TaggedError<DataSourceConfigInvalid>()("DataSourceConfigInvalid", {
  /** What was expected and at which variable, e.g. `Expected "true" | ... at ["RECTIFIER_OFFLINE"]`. */
  problem: Schema.String
}) {
  override get message(): string {
    return `the environment's dataset settings cannot be used: ${this.problem}`
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

/**
 * Every typed failure a dataset effect can end with: loading, splitting,
 * downloading, caching, checking a file, reading the environment, or looking
 * up a name. One address's failure (`SourceFailed`, `DownloadTooLarge`) is
 * not among them: it reaches the caller inside a `DownloadFailed`.
 */
export type DatasetError =
  | MalformedFile
  | ChecksumMismatch
  | DatasetFileUnreadable
  | InvalidSplit
  | DownloadFailed
  | DiskFull
  | CacheWriteFailed
  | NotCached
  | DataSourceConfigInvalid
  | UnknownDataset
