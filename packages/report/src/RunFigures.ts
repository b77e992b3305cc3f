/**
 * The figures of a single run's report, drawn from what its record holds:
 * training cost and validation/test error per epoch, every learning-rate
 * candidate's validation curve (the paper's protocol), exact sparsity and
 * dead units per layer, sparsity and gradient norms per layer over epochs,
 * activation histograms per layer, and each pre-trained layer's
 * reconstruction curve. A figure whose data the record lacks is left out.
 */
import { type Figure, groupedBarChart, lineChart } from "./Charts.ts"
import type { RunRecord } from "@rectifier/record"
import { candidateFigure, candidateRows } from "./SelectionReport.ts"

type Diagnostics = NonNullable<RunRecord["result"]["initialDiagnostics"]>

const layerName = (l: number) => `layer ${l + 1}`

/** The record's diagnostics by epoch, the initial weights' as epoch 0. */
const diagnosticsByEpoch = (record: RunRecord): ReadonlyArray<{ readonly epoch: number; readonly diagnostics: Diagnostics }> => [
  ...(record.result.initialDiagnostics === undefined ? [] : [{ epoch: 0, diagnostics: record.result.initialDiagnostics }]),
  ...record.epochs.flatMap((e) => (e.diagnostics === undefined ? [] : [{ epoch: e.epoch, diagnostics: e.diagnostics }]))
]

const trainingCost = (record: RunRecord): Figure => ({
  id: "training-cost",
  title: "Training cost",
  caption: "Mean training cost (negative log-likelihood plus the L1 term) over each epoch's minibatches.",
  spec: lineChart({
    values: record.epochs.map((e) => ({ epoch: e.epoch, cost: e.trainLoss, series: "training cost" })),
    x: "epoch",
    y: "cost",
    color: "series",
    xTitle: "epoch",
    yTitle: "training cost",
    integerX: true
  })
})

const errorCurves = (record: RunRecord): Figure => ({
  id: "learning-curves",
  title: "Validation and test error",
  caption: `Error after each epoch; the model kept is epoch ${record.result.bestEpoch}'s, the lowest validation error.`,
  spec: lineChart({
    values: record.epochs.flatMap((e) => [
      { epoch: e.epoch, error: e.validationError, set: "validation" },
      { epoch: e.epoch, error: e.testError, set: "test" }
    ]),
    x: "epoch",
    y: "error",
    color: "set",
    xTitle: "epoch",
    yTitle: "error",
    yFormat: ".1%",
    integerX: true
  })
})

/** Every learning-rate candidate's validation curve, the kept one marked. */
const candidates = (record: RunRecord): Figure | undefined =>
  candidateFigure(
    candidateRows(record),
    "Validation error per epoch of every learning rate the selection tried, each from the same initial weights. " +
      "A curve that ends early was stopped (the selection table says why)."
  )

/** Units of a layer: its units binned by P(active) add up to all of them. */
const units = (layer: Diagnostics["layers"][number]) => layer.activeProbabilityHistogram.reduce((a, b) => a + b, 0)

const sparsityAndDeadUnits = (record: RunRecord): Figure => {
  const best = record.epochs.find((e) => e.epoch === record.result.bestEpoch)?.diagnostics
  // Short legend labels: Vega, measuring text without a canvas, over-estimates long ones and pads the figure.
  const zeros = "exact zeros"
  const dead = "dead units"
  return {
    id: "sparsity",
    title: "Sparsity and dead units per layer",
    caption: "Per hidden layer (input side first) of the kept model: the fraction of its activations on the test set that " +
      "are exactly zero" +
      (best === undefined
        ? "."
        : `, and the fraction of its units that are zero on every one of ${best.examples} validation examples (dead).`),
    spec: groupedBarChart({
      values: [
        ...record.result.sparsity.perLayer.map((fraction, l) => ({ layer: layerName(l), fraction, measure: zeros })),
        ...(best?.layers ?? []).map((layer, l) => ({ layer: layerName(l), fraction: layer.deadUnits / units(layer), measure: dead }))
      ],
      x: "layer",
      y: "fraction",
      group: "measure",
      xTitle: "hidden layer",
      yTitle: "fraction",
      yFormat: ".0%",
      xLabelAngle: 0
    })
  }
}

const sparsityByEpoch = (record: RunRecord): Figure | undefined => {
  const rows = diagnosticsByEpoch(record)
  if (rows.length === 0) return undefined
  return {
    id: "sparsity-by-epoch",
    title: "Sparsity per layer over training",
    caption: `Fraction of exact zeros in each hidden layer on ${rows[0]!.diagnostics.examples} validation examples after ` +
      "each epoch (epoch 0: the initial weights).",
    spec: lineChart({
      values: rows.flatMap(({ epoch, diagnostics }) =>
        diagnostics.layers.map((layer, l) => ({ epoch, sparsity: layer.sparsity, layer: layerName(l) }))
      ),
      x: "epoch",
      y: "sparsity",
      color: "layer",
      xTitle: "epoch",
      yTitle: "exact sparsity",
      yFormat: ".0%",
      integerX: true
    })
  }
}

const gradientNorms = (record: RunRecord): Figure | undefined => {
  const rows = diagnosticsByEpoch(record)
  if (rows.length === 0) return undefined
  const values = rows.flatMap(({ epoch, diagnostics }) =>
    diagnostics.gradientNorms.flatMap((norm, l, all) =>
      // A log axis has no place for a zero norm (a layer with no gradient at all); the table lists it.
      norm > 0 ? [{ epoch, "gradient norm": norm, layer: l === all.length - 1 ? "output" : layerName(l) }] : []
    )
  )
  if (values.length === 0) return undefined
  return {
    id: "gradient-norms",
    title: "Gradient norm per layer over training",
    caption: `L2 norm of the cost's gradient for each layer's weights on a fixed batch of ${rows[0]!.diagnostics.gradientExamples} ` +
      "training examples, after each epoch (epoch 0: the initial weights), on a log scale; vanishing gradients show as " +
      "norms shrinking towards the input.",
    spec: lineChart({
      values,
      x: "epoch",
      y: "gradient norm",
      color: "layer",
      xTitle: "epoch",
      yTitle: "gradient norm (log scale)",
      logY: true,
      integerX: true
    })
  }
}

/** Bin labels of a histogram over `edges`: below the first, each edge's bin, at or above the last. */
const binLabels = (edges: ReadonlyArray<number>) => [`< ${edges[0]}`, ...edges.slice(0, -1).map(String), `≥ ${edges[edges.length - 1]}`]

const activationHistograms = (record: RunRecord): Figure | undefined => {
  const best = record.epochs.find((e) => e.epoch === record.result.bestEpoch)?.diagnostics
  if (best === undefined) return undefined
  const initial = record.result.initialDiagnostics
  const labels = binLabels(best.activationEdges)
  const when = (diagnostics: Diagnostics, name: string) =>
    diagnostics.layers.flatMap((layer, l) => {
      const total = layer.activationHistogram.reduce((a, b) => a + b, 0)
      return layer.activationHistogram.map((count, bin) => ({
        layer: layerName(l),
        activation: labels[bin]!,
        fraction: total === 0 ? 0 : count / total,
        weights: name
      }))
    })
  return {
    id: "activation-histograms",
    title: "Activation histograms per layer",
    caption: `Distribution of each hidden layer's activations on ${best.examples} validation examples, in bins labelled by ` +
      "their lower edge (exact zeros fall in the bin at 0), for the kept model" +
      (initial === undefined ? "." : " and the initial weights."),
    spec: groupedBarChart({
      values: [
        ...(initial === undefined ? [] : when(initial, "initial")),
        ...when(best, `epoch ${record.result.bestEpoch} (kept)`)
      ],
      x: "activation",
      y: "fraction",
      group: "weights",
      xTitle: "activation value (bin's lower edge)",
      yTitle: "fraction of activations",
      xOrder: labels,
      yFormat: ".0%",
      facet: "layer",
      facetOrder: best.layers.map((_, l) => layerName(l))
    })
  }
}

const reconstruction = (record: RunRecord): Figure | undefined => {
  const layers = record.pretraining?.layers ?? []
  const values = layers.flatMap((layer, l) =>
    layer.curve.flatMap((epoch) => [
      ...(epoch["reconstructionError"] === undefined ? [] : [{
        layer: layerName(l),
        epoch: epoch["epoch"]!,
        "reconstruction error": epoch["reconstructionError"],
        set: "training"
      }]),
      ...(epoch["validationReconstructionError"] === undefined ? [] : [{
        layer: layerName(l),
        epoch: epoch["epoch"]!,
        "reconstruction error": epoch["validationReconstructionError"],
        set: "validation"
      }])
    ])
  )
  if (values.length === 0) return undefined
  return {
    id: "pretraining",
    title: "Pre-training reconstruction error per layer",
    caption: "Reconstruction error after each pre-training epoch of each layer (bottom layer first; " +
      `${layers.map((layer, l) => `${layerName(l)}: ${layer.kind === "rbm" ? "RBM" : "denoising auto-encoder"}`).join(", ")}), ` +
      "each panel on its own scale.",
    spec: lineChart({
      values,
      x: "epoch",
      y: "reconstruction error",
      color: "set",
      xTitle: "epoch",
      yTitle: "reconstruction error",
      facet: "layer",
      facetOrder: layers.map((_, l) => layerName(l)),
      integerX: true
    })
  }
}

/** The run report's figures, in reading order. */
export const runFigures = (record: RunRecord): ReadonlyArray<Figure> =>
  [
    // A run that diverged in its first epoch has no curve to draw.
    ...(record.epochs.length === 0 ? [] : [errorCurves(record), trainingCost(record)]),
    candidates(record),
    reconstruction(record),
    sparsityAndDeadUnits(record),
    sparsityByEpoch(record),
    gradientNorms(record),
    activationHistograms(record)
  ].filter((figure): figure is Figure => figure !== undefined)
