/**
 * The command line's exit codes, one per kind of failure, so scripts can
 * tell a mistyped command from a run that failed or a result that did not
 * reproduce:
 *   0 success; 1 an internal error (a defect); 2 a usage error (a bad flag,
 *   an unknown pipeline, a configuration or folder that cannot be used);
 *   3 a run failed (diverged, learned nothing, a sweep's runs failed, data
 *   could not be had); 4 a mismatch (verify, golden check, results table).
 * A command marks a failure's kind by the error it wraps in its UserError.
 */
import { Runtime, Schema } from "effect"
import { CliError } from "effect/cli"

export const ExitCode = { ok: 0, internal: 1, usage: 2, runFailed: 3, mismatch: 4 } as const

/** The cause a command gives its UserError when runs failed (a sweep's runs, a diverged single run). */
export class RunsFailed extends Schema.TaggedError<RunsFailed>()("RunsFailed", { detail: Schema.String }) {
  override get message(): string {
    return this.detail
  }
}

/** The cause a command gives its UserError when a check found a difference. */
export class Mismatch extends Schema.TaggedError<Mismatch>()("Mismatch", { detail: Schema.String }) {
  override get message(): string {
    return this.detail
  }
}

const runFailures = new Set([
  "RunsFailed", "RunDiverged", "RunStalled", "RunFailed", "TrainingDiverged", "PretrainDiverged", "CheckpointUnwritable",
  "DownloadFailed", "NotCached", "DiskFull", "CacheWriteFailed", "SourceFailed", "DownloadTooLarge"
])
const mismatches = new Set(["Mismatch", "GoldenMismatch", "NumericsVersionStale"])

const tagOf = (value: unknown): string | undefined =>
  typeof value === "object" && value !== null && "_tag" in value && typeof value._tag === "string" ? value._tag : undefined

/** The exit code for a command's failure `error` (the squashed cause). */
/** The error a chain of UserErrors wraps, innermost first. */
const innermost = (error: unknown): unknown =>
  CliError.isCliError(error) && error._tag === "UserError" && error.cause !== undefined ? innermost(error.cause) : error

export const exitCodeOf = (error: unknown): number => {
  const tag = tagOf(innermost(error))
  if (tag !== undefined && runFailures.has(tag)) return ExitCode.runFailed
  if (tag !== undefined && mismatches.has(tag)) return ExitCode.mismatch
  if (CliError.isCliError(error)) return ExitCode.usage
  // Errors a package prints through the CLI module (they carry a user message) are about its input.
  return typeof error === "object" && error !== null && CliError.userMessage in error ? ExitCode.usage : ExitCode.internal
}

/** A failure already reported, carrying its exit code for the runtime's default teardown. */
export class Exited extends Schema.TaggedError<Exited>()("Exited", { code: Schema.Int }) {
  override readonly [Runtime.errorExitCode] = this.code
  override get message(): string {
    return `exit ${this.code}`
  }
}
