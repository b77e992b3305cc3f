/**
 * The results registry: `results/<pipeline>/` in the repository holds each
 * full-scale outcome the README cites, imported from a sweep folder (its
 * reports, figures and summary tables, every finished run's record, and
 * `entry.json`: the exact command, the commits and machine the runs came
 * from, wall time and core-hours, and per cell the summary the README
 * shows). The README's
 * results table is generated from these entries, never typed by hand.
 */
import { markdownTable, percent, writeFileAtomic } from "@rectifier/core"
import { findReference, type Reference, type RunRecord, runFailure } from "@rectifier/record"
import { type Summary, summarize } from "@rectifier/report"
import { Effect, FileSystem, Path, Schema } from "effect"
import { readRunRecord } from "./Pipeline.ts"
import { findPreset, planRuns } from "./Presets.ts"
import { folderKey } from "./RunKey.ts"
import { SweepIndex, type SweepRun, writeReport } from "./SweepRunner.ts"

const SummarySchema = Schema.Struct({ n: Schema.Int, mean: Schema.Number, sd: Schema.Number })

/**
 * One cell of an imported sweep, as the README's table shows it: test error
 * and sparsity over its seeds (count, mean, standard deviation, as fractions),
 * and the published numbers next to them, when there are any.
 */
export const ResultsCell = Schema.Struct({
  label: Schema.String,
  testError: SummarySchema,
  sparsity: SummarySchema,
  /** The learning rates the cell's runs trained with (selected, or fixed). */
  learningRates: Schema.Array(Schema.Number),
  /** Best epochs, one per run. */
  bestEpochs: Schema.Array(Schema.Int),
  /** Process wall time of the cell's runs, added up (one core per run). */
  coreHours: Schema.Number,
  paperTestError: Schema.optionalKey(Schema.Number),
  seedTestError: Schema.optionalKey(Schema.Number),
  paperSparsity: Schema.optionalKey(Schema.Number)
})
/** A decoded {@link ResultsCell}. */
export type ResultsCell = typeof ResultsCell.Type

/** `results/<pipeline>/entry.json`: where an imported sweep came from, what it cost, and its cells. */
export const ResultsEntry = Schema.Struct({
  format: Schema.Literal("rectifier-results/1"),
  pipeline: Schema.String,
  /** The command that produced the sweep, as the user typed it. */
  command: Schema.String,
  importedAt: Schema.String,
  /** Distinct commits and numerics versions of the imported runs; `dirty` when any ran from a modified tree. */
  commits: Schema.Array(Schema.String),
  dirty: Schema.Boolean,
  numericsVersions: Schema.Array(Schema.Int),
  machines: Schema.Array(Schema.String),
  /** Runs the sweep plans (when its sweep.json says) and runs imported (finished, not diverged). */
  planned: Schema.optionalKey(Schema.Int),
  finished: Schema.Int,
  /** From the first run's start to the last run's finish. */
  wallHours: Schema.Number,
  coreHours: Schema.Number,
  cells: Schema.Array(ResultsCell)
})
/** A decoded {@link ResultsEntry}. */
export type ResultsEntry = typeof ResultsEntry.Type

const decodeEntry = Schema.decodeUnknownEffect(Schema.fromJsonString(ResultsEntry))
const encodeEntry = Schema.encodeEffect(Schema.fromJsonString(ResultsEntry))

const hours = (seconds: number) => seconds / 3600
const reference = (
  references: ReadonlyArray<Reference>,
  metric: "testError" | "sparsity",
  source: "paper" | "seed-article"
) => findReference(references, metric, source)?.value

/**
 * The registry entry of finished runs, grouped by cell label (in the order
 * first seen); each cell's published numbers are its first run's
 * `references`.
 */
export const resultsEntry = (
  pipeline: string,
  command: string,
  runs: ReadonlyArray<{ readonly cell: string; readonly record: RunRecord; readonly references: ReadonlyArray<Reference> }>,
  planned?: number
): ResultsEntry => {
  const labels = [...new Set(runs.map((r) => r.cell))]
  const records = runs.map((r) => r.record)
  const starts = records.map((r) => Date.parse(r.startedAt))
  const ends = records.map((r) => Date.parse(r.finishedAt))
  const distinct = <T>(values: ReadonlyArray<T | undefined>) =>
    [...new Set(values.filter((v): v is T => v !== undefined))]
  return {
    format: "rectifier-results/1",
    pipeline,
    command,
    importedAt: new Date().toISOString(),
    commits: distinct(records.map((r) => r.environment.commit)),
    dirty: records.some((r) => r.environment.dirty !== false),
    numericsVersions: distinct(records.map((r) => r.environment.numericsVersion)),
    machines: distinct(records.map((r) => `${r.environment.cpu} (${r.environment.cpus} cores)`)),
    ...(planned === undefined ? {} : { planned }),
    finished: records.length,
    wallHours: records.length === 0 ? 0 : hours((Math.max(...ends) - Math.min(...starts)) / 1000),
    coreHours: hours(records.reduce((sum, r) => sum + r.wallSeconds, 0)),
    cells: labels.map((label): ResultsCell => {
      const cell = runs.filter((r) => r.cell === label).map((r) => r.record)
      const { references } = runs.find((r) => r.cell === label)!
      const paper = reference(references, "testError", "paper")
      const seed = reference(references, "testError", "seed-article")
      const paperSparsity = reference(references, "sparsity", "paper")
      return {
        label,
        testError: summarize(cell.map((r) => r.result.testError)) as Summary,
        sparsity: summarize(cell.map((r) => r.result.sparsity.mean)) as Summary,
        learningRates: distinct(cell.map((r) => r.result.learningRate ?? r.config.training.learningRate)),
        bestEpochs: cell.map((r) => r.result.bestEpoch),
        coreHours: hours(cell.reduce((sum, r) => sum + r.wallSeconds, 0)),
        ...(paper === undefined ? {} : { paperTestError: paper }),
        ...(seed === undefined ? {} : { seedTestError: seed }),
        ...(paperSparsity === undefined ? {} : { paperSparsity })
      }
    })
  }
}

const decodeIndex = Schema.decodeUnknownEffect(Schema.fromJsonString(SweepIndex))

/** A single run's folder read as a sweep of one: its pipeline, and the folder as its only run. */
const singleRunIndex = (folder: string) =>
  Effect.gen(function*() {
    const path = yield* Path.Path
    const record = yield* readRunRecord(folder)
    return {
      index: {
        pipeline: record.pipeline,
        planned: 1,
        runs: [{ cell: record.pipeline, seed: record.config.seed, folder: path.basename(folder) }]
      },
      root: path.dirname(folder)
    }
  })

/**
 * Copies a sweep folder's finished, non-diverged run records into
 * `<results>/<pipeline>/` (replacing what was there), renders the sweep's
 * report there afresh from them with this code's renderer (so a campaign
 * pinned at an older commit gets today's report), and writes `entry.json`;
 * a single run's folder is imported as a sweep of one, with its own report.
 * A sweep's cells keep the published numbers its preset gives them, also for
 * runs reused from another pipeline's registry (whose records carry that
 * pipeline's: Figure 3's `L1 0.001` holds Table 1's rectifier runs).
 * Checkpoints and the safetensors weights (megabytes per cell at full
 * scale) are not copied.
 */
export const importResults = Effect.fn("Results.importResults")(function*(source: string, results: string, command: string) {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const isSweep = yield* fs.exists(path.join(source, "sweep.json"))
  const { index, root: sweepFolder } = isSweep
    ? { index: yield* decodeIndex(yield* fs.readFileString(path.join(source, "sweep.json"))), root: source }
    : yield* singleRunIndex(source)
  const preset = isSweep ? yield* findPreset(index.pipeline) : undefined
  const plan = preset === undefined ? [] : yield* planRuns(preset)
  const cellReferences = new Map(plan.map((run) => [run.cell, run.references]))
  const runs: Array<{ cell: string; record: RunRecord; folder: string; references: ReadonlyArray<Reference> }> = []
  const failures: Array<{ name: string; reason: string }> = []
  const unfinished: Array<string> = []
  for (const run of index.runs) {
    const folder = path.join(sweepFolder, run.folder)
    const name = `${run.cell}, seed ${run.seed}`
    if (!(yield* fs.exists(path.join(folder, "results.json")))) {
      unfinished.push(name)
      continue
    }
    const record = yield* readRunRecord(folder)
    const failure = runFailure(record)
    if (failure !== undefined) failures.push({ name, reason: failure })
    else runs.push({ cell: run.cell, record, folder: run.folder, references: cellReferences.get(run.cell) ?? record.references })
  }
  // In the preset's cell order, whichever order sweeps of some of its cells (`--cell`) listed them in.
  if (preset !== undefined) {
    const order = (preset.sweep?.cells ?? []).map((cell) => cell.label)
    runs.sort((a, b) => order.indexOf(a.cell) - order.indexOf(b.cell))
  }
  const target = path.join(results, index.pipeline)
  yield* fs.remove(target, { recursive: true, force: true })
  yield* fs.makeDirectory(path.join(target, "runs"), { recursive: true })
  for (const run of runs) {
    yield* fs.makeDirectory(path.join(target, "runs", run.folder))
    yield* fs.copyFile(path.join(sweepFolder, run.folder, "results.json"), path.join(target, "runs", run.folder, "results.json"))
  }
  if (preset !== undefined) {
    const copied: ReadonlyArray<SweepRun> = runs.map((run) => ({
      cell: run.cell,
      references: run.references,
      config: run.record.config,
      key: folderKey(run.folder),
      folder: path.join(target, "runs", run.folder),
      name: `${run.cell}, seed ${run.record.config.seed}`
    }))
    // The registry keeps records, not weights (no checkpoints are copied), so no weights are exported.
    yield* writeReport(preset, target, copied, { unfinished, failures, weights: false })
  } else {
    for (const name of ["report.md", "report.html"]) {
      const file = path.join(source, name)
      if (yield* fs.exists(file)) yield* fs.copyFile(file, path.join(target, name))
    }
    if (yield* fs.exists(path.join(source, "figures"))) yield* fs.copy(path.join(source, "figures"), path.join(target, "figures"))
  }
  // Older sweep.json files list followers only once planned: count the preset's plan instead.
  const planned = index.planned ?? (preset === undefined ? 1 : plan.length)
  const entry = resultsEntry(index.pipeline, command, runs, planned)
  const json = yield* encodeEntry(entry)
  yield* writeFileAtomic(path.join(target, "entry.json"), JSON.stringify(JSON.parse(json), null, 2) + "\n")
  return entry
})

/** Every entry under `results`, by pipeline name. */
export const readResults = Effect.fn("Results.readResults")(function*(results: string) {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  if (!(yield* fs.exists(results))) return []
  const entries: Array<ResultsEntry> = []
  for (const name of (yield* fs.readDirectory(results)).sort()) {
    const file = path.join(results, name, "entry.json")
    if (yield* fs.exists(file)) entries.push(yield* decodeEntry(yield* fs.readFileString(file)))
  }
  return entries
})

const pm = (s: { readonly mean: number; readonly sd: number; readonly n: number }, digits = 2) =>
  `${percent(s.mean, digits)} ± ${percent(s.sd, digits)} (n=${s.n})`

/** The README's results table, one row per cell of every entry. */
export const resultsTable = (entries: ReadonlyArray<ResultsEntry>): string => {
  if (entries.length === 0) return "No full-scale result has been imported yet."
  const header = [
    "pipeline", "cell", "test error, ours", "paper", "seed article", "sparsity, ours", "paper",
    "learning rate", "best epochs", "core-hours"
  ]
  const rows = entries.flatMap((entry) =>
    entry.cells.map((cell) => [
      `[${entry.pipeline}](results/${entry.pipeline}/report.md)`,
      cell.label,
      pm(cell.testError),
      percent(cell.paperTestError),
      percent(cell.seedTestError),
      pm(cell.sparsity, 1),
      percent(cell.paperSparsity, 1),
      cell.learningRates.join(", "),
      cell.bestEpochs.join(", "),
      cell.coreHours.toFixed(2)
    ])
  )
  const notes = entries.map((entry) =>
    `- ${entry.pipeline}: ${entry.finished}${entry.planned === undefined ? "" : ` of ${entry.planned}`} runs, ` +
    `\`${entry.command}\`, commit ${entry.commits.map((c) => c.slice(0, 12)).join(", ") || "unknown"}` +
    `${entry.dirty ? " (dirty tree)" : ""}, numerics version ${entry.numericsVersions.join(", ")}, ` +
    `${entry.machines.join("; ")}, ${entry.wallHours.toFixed(1)} h wall, ${entry.coreHours.toFixed(1)} core-hours.`
  )
  return [
    markdownTable(header, rows),
    "",
    ...notes
  ].join("\n")
}

/** The README line after which the generated results table starts. */
export const RESULTS_START = "<!-- results:start (generated by `pnpm run results readme`; do not edit) -->"
/** The README line that ends the generated results table. */
export const RESULTS_END = "<!-- results:end -->"

/** `readme` with the text between the results markers replaced by `table`; fails when a marker is missing. */
export const withResultsTable = (readme: string, table: string): string | undefined => {
  const start = readme.indexOf(RESULTS_START)
  const end = readme.indexOf(RESULTS_END)
  if (start < 0 || end < start) return undefined
  return readme.slice(0, start + RESULTS_START.length) + "\n" + table + "\n" + readme.slice(end)
}
