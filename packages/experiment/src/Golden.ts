/**
 * Running golden cases and checking them against, or writing them to, the
 * committed golden files (`golden/<case>.json` at the repository root).
 */
import { NUMERICS_VERSION, writeFileAtomic } from "@rectifier/core"
import { comparable, compare, describeDifferences, type Difference, exact, type Json, type RunRecord, type Tolerance } from "@rectifier/record"
import { Effect, FileSystem, Path, Schema } from "effect"
import { cpus, tmpdir } from "node:os"
import type { GoldenCase } from "./GoldenCase.ts"
import { GoldenMismatch, GoldenMissing, GoldenUnreadable, NumericsVersionStale } from "./GoldenError.ts"
import { runPipeline } from "./Pipeline.ts"
import { findPreset, resolveRuns } from "./Presets.ts"

/** How a golden comparison names its two sides. */
export const goldenLabels = { expected: "golden", actual: "now" } as const

/** What a golden file holds: the outcome, and where it was recorded. */
export const GoldenFile = Schema.Struct({
  case: Schema.String,
  /** The numerics version (packages/core/src/Numerics.ts) the outcome was recorded under; absent in the first files. */
  numericsVersion: Schema.optionalKey(Schema.Int),
  recordedOn: Schema.Struct({ cpu: Schema.String, threads: Schema.Int, backend: Schema.String }),
  outcome: Schema.Json
})
export type GoldenFile = typeof GoldenFile.Type

const decodeGoldenFile = Schema.decodeUnknownEffect(Schema.fromJsonString(GoldenFile))

/** The golden file at `file`, decoded, or an error naming it. */
const readGoldenFile = (name: string, file: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    return yield* decodeGoldenFile(yield* fs.readFileString(file)).pipe(
      Effect.mapError((error) => new GoldenUnreadable({ name, file, reason: error.message.replace(/\n\s*/g, " ") }))
    )
  })

/** The folder of the golden files under a repository root. */
export const goldenDirectory = (root: string) => `${root}/golden`

const cpuModel = () => cpus()[0]?.model.trim() ?? "unknown"

/** Runs every run of one case (one, or each cell and seed of a sweep) into a temporary folder. */
export const runCase = Effect.fn("Golden.runCase")(function*(golden: GoldenCase) {
  const fs = yield* FileSystem.FileSystem
  const preset = yield* findPreset(golden.pipeline)
  const seed = preset.sweep === undefined ? { seed: 1 } : {}
  const planned = yield* resolveRuns(preset, { ...golden.overrides, backend: golden.backend, ...seed })
  const out = yield* fs.makeTempDirectory({ directory: tmpdir(), prefix: `rectifier-golden-${golden.name}-` })
  const records = yield* Effect.forEach(planned, (run) =>
    runPipeline(preset, run.config, { out }).pipe(Effect.map(({ record }) => ({ cell: run.cell, record }))))
  yield* fs.remove(out, { recursive: true })
  return records
})

/** A case's outcome: one run's, or each sweep run's under its cell label. */
export const outcomeOf = (runs: ReadonlyArray<{ readonly cell: string; readonly record: RunRecord }>): Json =>
  runs.length === 1
    ? comparable(runs[0]!.record)
    : { runs: runs.map(({ cell, record }) => ({ cell, outcome: comparable(record) })) }

type CaseRuns = ReadonlyArray<{ readonly cell: string; readonly record: RunRecord }>

/** The tolerance that applies between a golden file and this machine. */
export const toleranceFor = (golden: GoldenCase, file: GoldenFile, runs: CaseRuns): Tolerance =>
  file.recordedOn.cpu === cpuModel() && file.recordedOn.threads === runs[0]?.record.config.threads
    ? exact
    : golden.acrossMachines

/** The differences between a golden file and fresh runs of its case. */
export const differencesFrom = (golden: GoldenCase, file: GoldenFile, runs: CaseRuns): Array<Difference> =>
  compare(file.outcome, outcomeOf(runs), toleranceFor(golden, file, runs))

const readGolden = (root: string, golden: GoldenCase) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const file = path.join(goldenDirectory(root), `${golden.name}.json`)
    if (!(yield* fs.exists(file))) return yield* new GoldenMissing({ name: golden.name, file })
    return { file, content: yield* readGoldenFile(golden.name, file) }
  })

/** Re-runs a case and fails with a readable diff unless it reproduces its golden file. */
export const checkCase = Effect.fn("Golden.checkCase")(function*(root: string, golden: GoldenCase) {
  const { content, file } = yield* readGolden(root, golden)
  if (content.numericsVersion !== NUMERICS_VERSION) {
    return yield* new NumericsVersionStale({
      name: golden.name,
      file,
      ...(content.numericsVersion === undefined ? {} : { recorded: content.numericsVersion }),
      current: NUMERICS_VERSION,
      details: ""
    })
  }
  const runs = yield* runCase(golden)
  const differences = differencesFrom(golden, content, runs)
  if (differences.length > 0) {
    return yield* new GoldenMismatch({ name: golden.name, file, details: describeDifferences(differences, goldenLabels) })
  }
  return runs
})

/**
 * Re-runs a case and writes its golden file; returns what moved relative to
 * the old file. Numbers may move only under a new numerics version: a change
 * recorded under the old file's version is refused, and nothing is written.
 */
export const updateCase = Effect.fn("Golden.updateCase")(function*(root: string, golden: GoldenCase) {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const runs = yield* runCase(golden)
  const file = path.join(goldenDirectory(root), `${golden.name}.json`)
  const previous = (yield* fs.exists(file)) ? yield* readGoldenFile(golden.name, file) : undefined
  const moved = previous === undefined ? undefined : compare(previous.outcome, outcomeOf(runs))
  if (previous?.numericsVersion === NUMERICS_VERSION && moved !== undefined && moved.length > 0) {
    return yield* new NumericsVersionStale({
      name: golden.name,
      file,
      recorded: NUMERICS_VERSION,
      current: NUMERICS_VERSION,
      details: describeDifferences(moved, { expected: "recorded", actual: "now" })
    })
  }
  const next: GoldenFile = {
    case: golden.name,
    numericsVersion: NUMERICS_VERSION,
    recordedOn: {
      cpu: cpuModel(),
      threads: runs[0]!.record.config.threads,
      backend: runs[0]!.record.environment.backend.name
    },
    outcome: outcomeOf(runs)
  }
  yield* writeFileAtomic(file, JSON.stringify(next, null, 2) + "\n")
  return moved
})
