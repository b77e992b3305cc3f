/**
 * The part of a run record that a rerun must reproduce: configuration,
 * per-epoch metrics, pre-training curves and results. Timestamps, timings
 * and facts about the machine are left out; they describe the run, not its
 * outcome.
 */
import type { RunRecord } from "./RunRecord.ts"

/** A plain JSON value: what `comparable` yields and `compare` walks. */
export type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json }

/** Field names that measure time or memory rather than results, wherever they appear. */
const timingFields = new Set(["seconds", "stepSeconds", "startedAt", "finishedAt", "wallSeconds", "rssBytes", "peakRssBytes"])

const withoutTimings = (value: Json): Json => {
  if (Array.isArray(value)) return value.map(withoutTimings)
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).filter(([key]) => !timingFields.has(key)).map(([key, inner]) => [key, withoutTimings(inner)])
    )
  }
  return value
}

/** The reproducible outcome of a run, as plain JSON. */
export const comparable = (record: RunRecord): Json => {
  const { environment: _environment, startedAt: _s, finishedAt: _f, wallSeconds: _w, ...rest } = record
  return withoutTimings(JSON.parse(JSON.stringify(rest)) as Json)
}
