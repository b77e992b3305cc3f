/**
 * Verifying a recorded run: re-run it from its record alone and compare the
 * two records' reproducible outcomes field by field (timestamps, timings,
 * memory figures and the machine description are not part of an outcome).
 */
import { comparable, compare, type Difference, type RunRecord } from "@rectifier/record"
import { Effect, FileSystem } from "effect"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { readRunRecord, runPipeline } from "./Pipeline.ts"

/** Every difference between two records' reproducible outcomes; empty when the results are identical. */
export const compareRecords = (recorded: RunRecord, rerun: RunRecord): ReadonlyArray<Difference> =>
  compare(comparable(recorded), comparable(rerun))

/** Re-runs the run in `folder` from its `results.json` into a temporary folder and compares. */
export const verifyRun = Effect.fn("Experiment.verifyRun")(function*(folder: string) {
  const fs = yield* FileSystem.FileSystem
  const recorded = yield* readRunRecord(folder)
  const scratch = yield* fs.makeTempDirectoryScoped({ directory: tmpdir(), prefix: "rectifier-verify-" })
  const target = join(scratch, "rerun")
  yield* fs.makeDirectory(target)
  const { record } = yield* runPipeline(
    { name: recorded.pipeline, description: recorded.description, references: recorded.references },
    recorded.config,
    { out: target, folder: target }
  )
  return { recorded, rerun: record, differences: compareRecords(recorded, record) }
}, Effect.scoped)
