/**
 * A sweep's runs as one table for other tools (pandas, R, a spreadsheet):
 * `summary.csv` and `summary.json`, one row per finished run with its cell,
 * seed and folder, every configuration field as `config.<dotted path>` and
 * every metric of the record's result as `result.<dotted path>`, plus its
 * wall time. Nested objects are flattened with dots; lists (hidden layer
 * sizes, sparsity per layer) stay whole, as pandas' `json_normalize` does: a
 * JSON list in summary.json, its JSON text in the CSV. The learning-rate
 * candidates' curves and the initial diagnostics stay in each results.json.
 */
import { writeFileAtomic } from "@rectifier/core"
import { Effect, Path } from "effect"
import type { RunRecord } from "@rectifier/record"

/** A run of a sweep that has its record, as the summary takes it: its cell, its folder and the record. */
export interface SummaryRun {
  readonly cell: string
  /** The run folder's name inside the sweep folder. */
  readonly folder: string
  readonly record: RunRecord
}

type Value = string | number | boolean | ReadonlyArray<unknown>
/** One run's row of summary.csv and summary.json: cell, seed, folder, `config.<path>`, `result.<path>` and wallSeconds, lists kept whole. */
export type SummaryRow = Readonly<Record<string, Value>>

const flatten = (prefix: string, value: unknown, into: Record<string, Value>) => {
  if (value === undefined || value === null) return
  if (typeof value === "object" && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) flatten(`${prefix}.${key}`, inner, into)
  } else {
    into[prefix] = value as Value
  }
}

/** One row per run, in the order given. */
export const summaryRows = (runs: ReadonlyArray<SummaryRun>): ReadonlyArray<SummaryRow> =>
  runs.map(({ cell, folder, record }) => {
    const row: Record<string, Value> = { cell, seed: record.config.seed, folder }
    flatten("config", record.config, row)
    const { learningRateCandidates: _curves, initialDiagnostics: _initial, ...metrics } = record.result
    flatten("result", metrics, row)
    row["wallSeconds"] = record.wallSeconds
    return row
  })

/** Every column any row has, in the order first seen. */
export const summaryColumns = (rows: ReadonlyArray<SummaryRow>): ReadonlyArray<string> =>
  [...new Set(rows.flatMap((row) => Object.keys(row)))]

const csvField = (value: Value | undefined): string => {
  if (value === undefined) return ""
  const text = Array.isArray(value) ? JSON.stringify(value) : String(value)
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** RFC 4180 CSV with a header line; a run without a column's field leaves it empty. */
export const summaryCsv = (rows: ReadonlyArray<SummaryRow>): string => {
  const columns = summaryColumns(rows)
  return [columns.map((c) => csvField(c)), ...rows.map((row) => columns.map((c) => csvField(row[c])))]
    .map((fields) => fields.join(",") + "\r\n").join("")
}

/** Writes `<folder>/summary.csv` and `<folder>/summary.json`; returns their paths. */
export const writeSweepSummary = Effect.fn("SweepSummary.write")(function*(folder: string, runs: ReadonlyArray<SummaryRun>) {
  const path = yield* Path.Path
  const rows = summaryRows(runs)
  const csv = path.join(folder, "summary.csv")
  const json = path.join(folder, "summary.json")
  yield* writeFileAtomic(csv, summaryCsv(rows))
  yield* writeFileAtomic(json, JSON.stringify({ format: "rectifier-sweep-summary/1", columns: summaryColumns(rows), runs: rows }, null, 2) + "\n")
  return { csv, json }
})
