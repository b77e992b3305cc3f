/**
 * The learning-rate selection of a sweep under the paper's protocol, for its
 * report: per cell, the run that selected (its candidates with their curves,
 * why each stopped and why it was kept or dropped, and each pre-trained
 * layer's rate), the seeds that reused its choice, and a figure of every
 * candidate's validation curve.
 */
import { percent } from "@rectifier/core"
import { type Figure, lineChart } from "./Charts.ts"
import type { RunRecord } from "@rectifier/record"

interface Cell {
  readonly label: string
  readonly records: ReadonlyArray<RunRecord>
}


/** The run of a cell that selected its rates (the one with candidates), and the seeds that reused them. */
const selectionOf = (cell: Cell) => {
  const selector = cell.records.find((r) => r.result.learningRateCandidates !== undefined)
  if (selector === undefined) return undefined
  const reused = cell.records.filter((r) => r !== selector && r.result.learningRateCandidates === undefined &&
    r.config.training.learningRate === selector.result.learningRate)
  return { selector, reused }
}

export const selectionHeader = ["cell", "learning rate", "epochs run", "best epoch", "validation error", "test error", "stopped", "verdict"]

/** One row per candidate of each cell's selecting run. */
export const selectionRows = (cells: ReadonlyArray<Cell>): ReadonlyArray<ReadonlyArray<string>> =>
  cells.flatMap((cell) => {
    const selection = selectionOf(cell)
    if (selection === undefined) return []
    return (selection.selector.result.learningRateCandidates ?? []).map((c) => [
      `${cell.label} (seed ${selection.selector.config.seed})`,
      String(c.learningRate),
      String(c.epochsRun),
      String(c.bestEpoch),
      percent(c.validationError),
      percent(c.testError),
      c.stop === undefined ? (c.diverged === undefined ? "" : "diverged") : `${c.stop.reason}: ${c.stop.detail}`,
      c.verdict === undefined
        ? ""
        : c.verdict.kept
        ? `kept: ${c.verdict.reason}`
        : c.stop === undefined || c.stop.reason === "epochs" || c.stop.reason === "patience"
        ? `dropped: ${c.verdict.reason}`
        : "dropped (see stopped)"
    ])
  })

/** Sentences: which seed selected each cell's rates, which seeds reused them, and each pre-trained layer's rate. */
export const selectionNotes = (cells: ReadonlyArray<Cell>): ReadonlyArray<string> =>
  cells.flatMap((cell) => {
    const selection = selectionOf(cell)
    if (selection === undefined) return []
    const { selector, reused } = selection
    const layers = selector.pretraining?.layers.flatMap((layer, i) =>
      layer.learningRate === undefined ? [] : [`layer ${i + 1} ${layer.learningRate}`]
    ) ?? []
    return [
      `${cell.label}: learning rate ${selector.result.learningRate} selected on seed ${selector.config.seed}` +
        (layers.length === 0 ? "" : `, pre-training rates by lowest reconstruction error ${layers.join(", ")}`) +
        (reused.length === 0
          ? "."
          : `; ${reused.length === 1 ? "seed" : "seeds"} ${reused.map((r) => r.config.seed).join(", ")} ` +
            `${reused.length === 1 ? "reuses" : "reuse"} these rates without selecting again.`)
    ]
  })

/** Every candidate's validation error per epoch, the kept rate marked, each row tagged with `extra` (e.g. its cell). */
export const candidateRows = (record: RunRecord, extra: Readonly<Record<string, string>> = {}) =>
  (record.result.learningRateCandidates ?? []).flatMap((c) =>
    (c.curve ?? []).map((e) => ({
      ...extra,
      "learning rate": c.learningRate === record.result.learningRate ? `${c.learningRate} (kept)` : String(c.learningRate),
      epoch: e.epoch,
      "validation error": e.validationError
    }))
  )

/** The candidates figure over `values` (from `candidateRows`), one panel per cell when `cells` are given. */
export const candidateFigure = (
  values: ReadonlyArray<Readonly<Record<string, string | number>>>,
  caption: string,
  cells?: ReadonlyArray<string>
): Figure | undefined =>
  values.length === 0 ? undefined : {
    id: "learning-rate-candidates",
    title: "Learning-rate candidates",
    caption,
    spec: lineChart({
      values,
      x: "epoch",
      y: "validation error",
      color: "learning rate",
      xTitle: "epoch",
      yTitle: "validation error",
      yFormat: ".1%",
      integerX: true,
      ...(cells === undefined ? {} : { facet: "cell", facetOrder: cells })
    })
  }

/** Every candidate's validation error per epoch, one panel per cell; absent when nothing selected. */
export const selectionFigure = (cells: ReadonlyArray<Cell>): Figure | undefined =>
  candidateFigure(
    cells.flatMap((cell) => {
      const selector = selectionOf(cell)?.selector
      return selector === undefined ? [] : candidateRows(selector, { cell: cell.label })
    }),
    "Validation error per epoch of every learning rate the selection tried, on the seed that selected; " +
      "a curve that ends early was stopped (see the selection table for why).",
    cells.map((c) => c.label)
  )
