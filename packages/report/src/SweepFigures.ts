/**
 * A sweep report's figures: learning curves and training cost per cell,
 * sparsity against test error, the learning-rate candidates, the sweep's own
 * curve, time per epoch, activation shapes, and gradient norms and
 * activation probabilities when the records hold them.
 */
import { findReference, type RunRecord } from "@rectifier/record"
import { barChart, type Figure, histogramChart, lineChart, scatterChart } from "./Charts.ts"
import { selectionFigure } from "./SelectionReport.ts"
import { summarize } from "./Statistics.ts"
import type { CurvePoint, SweepReportInput } from "./SweepInput.ts"

/**
 * Whether test errors span more than a factor of 10 (all above 0): then a
 * linear axis flattens the working nets against the ones an L1 penalty
 * killed (Figure 3's 1.4% against 88%), and a log axis shows both.
 */
const spansDecade = (errors: ReadonlyArray<number>): boolean =>
  errors.length > 0 && Math.min(...errors) > 0 && Math.max(...errors) > 10 * Math.min(...errors)

const logYNote = " The y axis is logarithmic: the test errors span more than a factor of 10."

/** The report's figures; those whose data the records lack are left out. */
export const sweepFigures = (input: SweepReportInput): ReadonlyArray<Figure> => {
  const figures: Array<Figure> = []
  const runs = input.cells.flatMap((cell) => cell.records.map((record) => ({ cell: cell.label, record })))
  if (runs.length === 0) return figures
  /** Per cell and epoch, the mean and mean ± sd over seeds of `metric`. */
  const perEpoch = (metric: "validationError" | "trainLoss", name: string) =>
    input.cells.flatMap((cell) => {
      const epochs = Math.max(0, ...cell.records.map((r) => r.epochs.length))
      return Array.from({ length: epochs }, (_, i) => {
        const s = summarize(cell.records.flatMap((r) => r.epochs[i] === undefined ? [] : [r.epochs[i]![metric]]))!
        return { cell: cell.label, epoch: i + 1, [name]: s.mean, lower: s.mean - s.sd, upper: s.mean + s.sd }
      })
    })
  for (const [id, metric, name, title, format] of [
    ["learning-curves", "validationError", "validation error", "Learning curves", ".1%"],
    ["training-cost", "trainLoss", "training cost", "Training cost", ".3f"]
  ] as const) {
    figures.push({
      id,
      title,
      caption: `${name[0]!.toUpperCase()}${name.slice(1)} after each epoch per cell: the mean over seeds, and a band of ` +
        "± one sample standard deviation (none for a single seed). Runs that stopped early end their seed's share of the curve.",
      spec: lineChart({
        values: perEpoch(metric, name),
        x: "epoch",
        y: name,
        color: "cell",
        xTitle: "epoch",
        yTitle: name,
        yFormat: format,
        integerX: true,
        band: { lower: "lower", upper: "upper" }
      })
    })
  }
  // The seed article's (sparsity, test error) for the cells it gives both for (its L1 table), drawn beside ours.
  const published = input.cells.flatMap((cell) => {
    const sparsity = findReference(cell.references, "sparsity", "seed-article")?.value
    const testError = findReference(cell.references, "testError", "seed-article")?.value
    return sparsity === undefined || testError === undefined
      ? []
      : [{ cell: cell.label, sparsity, "test error": testError, source: "seed article" }]
  })
  const points = runs.map(({ cell, record }) => ({
    cell,
    sparsity: record.result.sparsity.mean,
    "test error": record.result.testError,
    seed: record.config.seed
  }))
  const scatterLog = spansDecade(points.map((p) => p["test error"]))
  figures.push({
    id: "sparsity-vs-error",
    title: "Sparsity vs test error",
    caption: "Each run's mean exact sparsity of the hidden layers (fraction of true zeros on the test set) " +
      "against its test error (the paper's Figure 3)" +
      (published.length === 0 ? "." : "; the seed article's published point for each cell is drawn beside ours.") +
      (scatterLog ? logYNote : ""),
    spec: scatterChart({
      values: published.length === 0 ? points : [...points.map((p) => ({ ...p, source: "ours" })), ...published],
      x: "sparsity",
      y: "test error",
      color: "cell",
      ...(published.length === 0 ? {} : { shape: "source" }),
      xTitle: "exact sparsity",
      yTitle: "test error",
      xFormat: ".0%",
      yFormat: ".1%",
      logY: scatterLog
    })
  })
  const candidates = selectionFigure(input.cells)
  if (candidates !== undefined) figures.push(candidates)
  if (input.curve !== undefined && input.curve.points.length > 0) {
    const groups = new Map<string, Array<CurvePoint>>()
    for (const point of input.curve.points) {
      const key = `${point.series}\u0000${point.x}`
      groups.set(key, [...(groups.get(key) ?? []), point])
    }
    const xs = [...new Set(input.curve.points.map((p) => p.x))].sort((a, b) => a - b)
    const positive = xs.filter((x) => x > 0)
    // A log axis cannot place 0 (L1 = 0, the unpenalised net): then symlog, linear within the smallest positive value.
    const symlog = input.curve.logX && positive.length < xs.length
    const constant = positive[0] ?? 1
    const means = [...groups.values()].map((points) => ({
      series: points[0]!.series,
      [input.curve!.title]: points[0]!.x,
      "test error": summarize(points.map((p) => p.testError))!.mean
    })).sort((a, b) => (a[input.curve!.title] as number) - (b[input.curve!.title] as number))
    const curveLog = spansDecade(means.map((m) => m["test error"]))
    figures.push({
      id: "curve",
      title: `Test error against ${input.curve.title}`,
      caption: `Mean test error over seeds against ${input.curve.title}, one line per series.` +
        (symlog
          ? ` The x axis is symmetric-log (symlog): logarithmic above ${constant}, linear from 0 to ${constant}, ` +
            `so that ${input.curve.title} = 0 is drawn, at the left end.`
          : input.curve.logX
          ? " The x axis is logarithmic."
          : "") +
        (curveLog ? logYNote : ""),
      spec: lineChart({
        values: means,
        x: input.curve.title,
        y: "test error",
        color: "series",
        xTitle: input.curve.title,
        yTitle: "test error",
        ...(symlog ? { xScale: { type: "symlog", constant, ticks: xs, format: "~g" } } : { logX: input.curve.logX }),
        logY: curveLog,
        yFormat: ".1%"
      })
    })
  }
  figures.push({
    id: "time-per-epoch",
    title: "Time per epoch",
    caption: "Mean wall time of an epoch (training and evaluation) per cell; compare only runs from the same machine and backend.",
    spec: barChart({
      values: input.cells.flatMap((cell) => {
        const seconds = summarize(cell.records.map((r) => r.epochs.reduce((s, e) => s + e.seconds, 0) / r.epochs.length))
        return seconds === undefined ? [] : [{ cell: cell.label, seconds: seconds.mean }]
      }),
      x: "cell",
      y: "seconds",
      xTitle: "cell",
      yTitle: "seconds per epoch"
    })
  })
  if (input.activations.length > 0) {
    figures.push({
      id: "activations",
      title: "Activation shapes and derivatives",
      caption: "Each activation f(x) and its derivative f'(x), sampled through the same tfjs code the trainer runs.",
      spec: lineChart({
        values: input.activations.flatMap((shape) =>
          shape.x.flatMap((x, i) => [
            { activation: shape.label, x, y: shape.value[i]!, panel: "f(x)" },
            { activation: shape.label, x, y: shape.derivative[i]!, panel: "f'(x)" }
          ])
        ),
        x: "x",
        y: "y",
        color: "activation",
        xTitle: "x",
        yTitle: "",
        points: false,
        facet: "panel",
        facetOrder: ["f(x)", "f'(x)"]
      })
    })
  }
  const gradientRuns = runs.filter(({ record }) => gradientNormsByEpoch(record).length > 0)
  if (gradientRuns.length > 0) {
    figures.push({
      id: "gradient-norms",
      title: "Gradient norm by layer",
      caption: "Gradient norm of each layer (input side first) in the last recorded epoch, mean over seeds, per cell.",
      spec: lineChart({
        values: input.cells.flatMap((cell) => {
          const lasts = cell.records.flatMap((r) => {
            const norms = gradientNormsByEpoch(r)
            return norms.length === 0 ? [] : [norms[norms.length - 1]!]
          })
          const layers = Math.max(0, ...lasts.map((l) => l.length))
          return Array.from({ length: layers }, (_, layer) => ({
            cell: cell.label,
            layer: layer + 1,
            "gradient norm": summarize(lasts.flatMap((l) => l[layer] === undefined ? [] : [l[layer]!]))!.mean
          }))
        }),
        x: "layer",
        y: "gradient norm",
        color: "cell",
        xTitle: "layer (input side first)",
        yTitle: "gradient norm",
        integerX: true
      })
    })
  }
  const probabilityRuns = runs.filter(({ record }) => lastLayerDiagnostics(record) !== undefined)
  if (probabilityRuns.length > 0) {
    figures.push({
      id: "activation-probabilities",
      title: "Per-unit activation probability",
      caption: "Histogram over hidden units of the probability that a unit is non-zero on the diagnostic " +
        "validation subset in the last epoch, per layer, in tenths (one seed per cell).",
      spec: histogramChart({
        values: input.cells.flatMap((cell) => {
          const layers = cell.records.map(lastLayerDiagnostics).find((l) => l !== undefined) ?? []
          return layers.flatMap((layer, l) =>
            layer.activeProbabilityHistogram.flatMap((units, bin) =>
              // The trainer bins units by tenths; each unit is drawn at its bin's centre.
              Array.from({ length: units }, () => ({ cell: cell.label, layer: `layer ${l + 1}`, probability: (bin + 0.5) / 10 }))
            )
          )
        }),
        field: "probability",
        color: "cell",
        facet: "layer",
        xTitle: "P(unit active)"
      })
    })
  }
  return figures
}

/** The trainer's per-layer gradient norms, one row per epoch that recorded diagnostics. */
const gradientNormsByEpoch = (record: RunRecord): ReadonlyArray<ReadonlyArray<number>> =>
  record.epochs.flatMap((epoch) => (epoch.diagnostics === undefined ? [] : [epoch.diagnostics.gradientNorms]))

/** The per-layer statistics of the last epoch that recorded diagnostics. */
const lastLayerDiagnostics = (record: RunRecord) =>
  record.epochs.findLast((epoch) => epoch.diagnostics !== undefined)?.diagnostics?.layers
