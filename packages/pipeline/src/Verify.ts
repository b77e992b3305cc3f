/**
 * Verifying a recorded run: re-run it from its record alone and compare the
 * two records field by field, ignoring what legitimately differs between
 * runs (timestamps, wall times, per-epoch seconds, the machine description).
 */
import type { RunRecord } from "@rectifier/report"
import { Effect, FileSystem } from "effect"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { readRunRecord, runPipeline } from "./Pipeline.ts"

export interface Difference {
  /** JSON path, e.g. "result.testError" or "epochs[2].trainLoss". */
  readonly path: string
  readonly recorded: unknown
  readonly rerun: unknown
}

/** Fields not compared: when and where the run happened, and how long it took. */
const ignored = (path: string) =>
  path === "startedAt" || path === "finishedAt" || path === "wallSeconds" || path.startsWith("environment") ||
  /^epochs\[\d+\]\.seconds$/.test(path)

const walk = (recorded: unknown, rerun: unknown, path: string, out: Array<Difference>): void => {
  if (ignored(path)) return
  if (Array.isArray(recorded) && Array.isArray(rerun)) {
    if (recorded.length !== rerun.length) out.push({ path: `${path}.length`, recorded: recorded.length, rerun: rerun.length })
    for (let i = 0; i < Math.min(recorded.length, rerun.length); i++) walk(recorded[i], rerun[i], `${path}[${i}]`, out)
    return
  }
  if (recorded !== null && rerun !== null && typeof recorded === "object" && typeof rerun === "object") {
    const keys = new Set([...Object.keys(recorded), ...Object.keys(rerun)])
    for (const key of keys) {
      walk(
        (recorded as Record<string, unknown>)[key],
        (rerun as Record<string, unknown>)[key],
        path === "" ? key : `${path}.${key}`,
        out
      )
    }
    return
  }
  if (!Object.is(recorded, rerun)) out.push({ path, recorded, rerun })
}

/** Every difference between two records outside the ignored fields; empty when the results are identical. */
export const compareRecords = (recorded: RunRecord, rerun: RunRecord): ReadonlyArray<Difference> => {
  const out: Array<Difference> = []
  walk(recorded, rerun, "", out)
  return out
}

/** Re-runs the run in `folder` from its `results.json` into a temporary folder and compares. */
export const verifyRun = (folder: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const recorded = yield* readRunRecord(folder)
    const scratch = yield* fs.makeTempDirectoryScoped({ directory: tmpdir(), prefix: "rectifier-verify-" })
    const target = join(scratch, "rerun")
    yield* fs.makeDirectory(target)
    const { record } = yield* runPipeline(
      { name: recorded.pipeline, description: recorded.description, overrides: {}, references: recorded.references },
      recorded.config,
      { out: target, folder: target }
    )
    return { recorded, rerun: record, differences: compareRecords(recorded, record) }
  }).pipe(Effect.scoped)
