/**
 * The report of a pipeline's runs (a sweep, or one cell): per cell our mean
 * ± standard deviation over seeds beside the paper's and the seed article's
 * numbers, paired significance tests, and the figures (learning curves,
 * sparsity vs test error, the sweep's own curve, activation shapes, time per
 * epoch, and gradient norms and activation probabilities when the records
 * hold them). Renders one self-contained HTML file (inline SVG, no scripts)
 * and one Markdown file with PNG figures beside it.
 */
import { writeFileAtomic } from "@rectifier/core"
import { Effect, FileSystem, Path } from "effect"
import { barChart, type Figure, histogramChart, lineChart, renderSvg, type RenderedFigure, scatterChart, svgToPng } from "./Charts.ts"
import type { Reference, RunRecord } from "./RunRecord.ts"
import { describeData } from "./Markdown.ts"
import { pairBySeed, type PairedTTest, pairedTTest, SIGNIFICANCE_LEVEL, type Summary, summarize } from "./Statistics.ts"

export interface SweepCellRuns {
  readonly label: string
  readonly references: ReadonlyArray<Reference>
  /** The cell's finished runs, one per seed. */
  readonly records: ReadonlyArray<RunRecord>
}

export interface CurvePoint {
  readonly series: string
  readonly x: number
  readonly testError: number
  readonly seed: number
}

export interface ActivationShape {
  readonly label: string
  readonly x: ReadonlyArray<number>
  readonly value: ReadonlyArray<number>
  readonly derivative: ReadonlyArray<number>
}

export interface SweepReportInput {
  readonly name: string
  readonly description: string
  readonly cells: ReadonlyArray<SweepCellRuns>
  /** Cell label pairs to test; each pair's runs are matched by seed. */
  readonly comparisons: ReadonlyArray<readonly [string, string]>
  readonly curve?: { readonly title: string; readonly logX: boolean; readonly points: ReadonlyArray<CurvePoint> }
  readonly activations: ReadonlyArray<ActivationShape>
  /** Runs the sweep planned but that are not (yet) finished, by label. */
  readonly missing: ReadonlyArray<string>
}

export interface CellRow {
  readonly label: string
  readonly testError: Summary | undefined
  readonly sparsity: Summary | undefined
  readonly secondsPerEpoch: Summary | undefined
  readonly bestEpoch: Summary | undefined
  readonly paper: { readonly testError?: number; readonly sparsity?: number }
  readonly seedArticle: { readonly testError?: number; readonly sparsity?: number }
}

export interface ComparisonRow {
  readonly a: string
  readonly b: string
  readonly test: (PairedTTest & { readonly significant: boolean }) | undefined
}

const reference = (refs: ReadonlyArray<Reference>, metric: Reference["metric"], source: Reference["source"]) =>
  refs.find((r) => r.metric === metric && r.source === source)?.value

/** The numbers of the report's tables, computed from the records. */
export const sweepTables = (input: SweepReportInput) => {
  const rows: ReadonlyArray<CellRow> = input.cells.map((cell) => ({
    label: cell.label,
    testError: summarize(cell.records.map((r) => r.result.testError)),
    sparsity: summarize(cell.records.map((r) => r.result.sparsity.mean)),
    secondsPerEpoch: summarize(cell.records.map((r) => r.epochs.reduce((s, e) => s + e.seconds, 0) / r.epochs.length)),
    bestEpoch: summarize(cell.records.map((r) => r.result.bestEpoch)),
    paper: {
      ...optional("testError", reference(cell.references, "testError", "paper")),
      ...optional("sparsity", reference(cell.references, "sparsity", "paper"))
    },
    seedArticle: {
      ...optional("testError", reference(cell.references, "testError", "seed-article")),
      ...optional("sparsity", reference(cell.references, "sparsity", "seed-article"))
    }
  }))
  const bySeed = (label: string) =>
    new Map(input.cells.find((c) => c.label === label)?.records.map((r) => [r.config.seed, r.result.testError]) ?? [])
  const comparisons: ReadonlyArray<ComparisonRow> = input.comparisons.map(([a, b]) => ({
    a,
    b,
    test: significance(pairBySeed(bySeed(a), bySeed(b)))
  }))
  return { rows, comparisons }
}

const significance = ({ a, b }: { readonly a: ReadonlyArray<number>; readonly b: ReadonlyArray<number> }) => {
  const test = pairedTTest(a, b)
  return test === undefined ? undefined : { ...test, significant: test.pValue < SIGNIFICANCE_LEVEL }
}

const optional = <K extends string>(key: K, value: number | undefined) =>
  value === undefined ? {} : ({ [key]: value } as Record<K, number>)

const percent = (value: number | undefined, digits = 2) => value === undefined ? "—" : `${(100 * value).toFixed(digits)}%`
const pm = (summary: Summary | undefined, scale = 100, digits = 2, unit = "%") =>
  summary === undefined
    ? "—"
    : `${(scale * summary.mean).toFixed(digits)}${unit} ± ${(scale * summary.sd).toFixed(digits)}${unit} (n=${summary.n})`

/** The report's figures; those whose data the records lack are left out. */
export const sweepFigures = (input: SweepReportInput): ReadonlyArray<Figure> => {
  const figures: Array<Figure> = []
  const runs = input.cells.flatMap((cell) => cell.records.map((record) => ({ cell: cell.label, record })))
  if (runs.length === 0) return figures
  figures.push({
    id: "learning-curves",
    title: "Learning curves",
    caption: "Validation error after each epoch, mean over seeds, per cell.",
    spec: lineChart({
      values: input.cells.flatMap((cell) => {
        const epochs = Math.max(0, ...cell.records.map((r) => r.epochs.length))
        return Array.from({ length: epochs }, (_, i) => {
          const errors = cell.records.flatMap((r) => r.epochs[i] === undefined ? [] : [r.epochs[i]!.validationError])
          return { cell: cell.label, epoch: i + 1, "validation error": summarize(errors)!.mean }
        })
      }),
      x: "epoch",
      y: "validation error",
      color: "cell",
      xTitle: "epoch",
      yTitle: "validation error",
      yFormat: ".1%",
      integerX: true
    })
  })
  figures.push({
    id: "sparsity-vs-error",
    title: "Sparsity vs test error",
    caption: "Each run's mean exact sparsity of the hidden layers (fraction of true zeros on the test set) " +
      "against its test error (the paper's Figure 3).",
    spec: scatterChart({
      values: runs.map(({ cell, record }) => ({
        cell,
        sparsity: record.result.sparsity.mean,
        "test error": record.result.testError,
        seed: record.config.seed
      })),
      x: "sparsity",
      y: "test error",
      color: "cell",
      xTitle: "exact sparsity",
      yTitle: "test error",
      xFormat: ".0%",
      yFormat: ".1%"
    })
  })
  if (input.curve !== undefined && input.curve.points.length > 0) {
    const groups = new Map<string, Array<CurvePoint>>()
    for (const point of input.curve.points) {
      const key = `${point.series}\u0000${point.x}`
      groups.set(key, [...(groups.get(key) ?? []), point])
    }
    figures.push({
      id: "curve",
      title: `Test error against ${input.curve.title}`,
      caption: `Mean test error over seeds against ${input.curve.title}, one line per series.`,
      spec: lineChart({
        values: [...groups.values()].map((points) => ({
          series: points[0]!.series,
          [input.curve!.title]: points[0]!.x,
          "test error": summarize(points.map((p) => p.testError))!.mean
        })).sort((a, b) => (a[input.curve!.title] as number) - (b[input.curve!.title] as number)),
        x: input.curve.title,
        y: "test error",
        color: "series",
        xTitle: input.curve.title,
        yTitle: "test error",
        logX: input.curve.logX,
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

const mdTable = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>) =>
  [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)]
    .join("\n")

const resultHeader = [
  "cell",
  "test error, ours (mean ± sd)",
  "test error, paper",
  "test error, seed article",
  "sparsity, ours",
  "sparsity, paper",
  "sparsity, seed article",
  "s / epoch",
  "best epoch"
]

const resultCells = (row: CellRow): ReadonlyArray<string> => [
  row.label,
  pm(row.testError),
  percent(row.paper.testError),
  percent(row.seedArticle.testError),
  pm(row.sparsity, 100, 1),
  percent(row.paper.sparsity, 1),
  percent(row.seedArticle.sparsity, 1),
  pm(row.secondsPerEpoch, 1, 1, "s"),
  pm(row.bestEpoch, 1, 1, "")
]

const comparisonHeader = ["cell A", "cell B", "mean difference (A − B)", "pairs", "p", `significant at ${SIGNIFICANCE_LEVEL}`]
const comparisonCells = (row: ComparisonRow): ReadonlyArray<string> => [
  row.a,
  row.b,
  row.test === undefined ? "—" : `${(100 * row.test.meanDifference).toFixed(2)} points`,
  String(row.test?.n ?? 0),
  row.test === undefined ? "—" : row.test.pValue.toPrecision(3),
  row.test === undefined ? "too few paired seeds" : row.test.significant ? "yes" : "no (equivalent)"
]

const explanation = [
  "Ours: mean ± sample standard deviation over seeds (n runs). The paper (Glorot, Bordes, Bengio 2011) is the",
  "ground truth; the seed article's numbers are what it reports, partly wrong about the paper. Significance: a",
  `paired two-sided t-test on per-seed test errors (runs with the same seed share initial weights and data order), p < ${SIGNIFICANCE_LEVEL}.`
].join(" ")

const protocol = (input: SweepReportInput): string => {
  const record = input.cells.flatMap((c) => c.records)[0]
  if (record === undefined) return "No run has finished yet."
  const c = record.config
  const t = c.training
  const subset = record.data === undefined
    ? c.dataset.trainSize !== undefined && c.dataset.trainSize < 50_000
    : record.data.train + record.data.unlabelled < record.data.paper.train
  return `Dataset ${describeData(record)}` +
    (subset ? " (a subset: **not directly comparable to the paper**)" : "") +
    `; hidden layers ${t.hiddenLayers.join(" x ")} (first cell); SGD, learning rate ${t.learningRate}, minibatch ${t.batchSize}, ` +
    `${t.epochs} epochs; backend ${record.environment.backend.name}; code ${record.environment.rectifier}.`
}

export const renderSweepMarkdown = (input: SweepReportInput, figures: ReadonlyArray<Figure>, figureFolder: string) => {
  const { rows, comparisons } = sweepTables(input)
  return [
    `# ${input.name}`,
    "",
    input.description,
    "",
    protocol(input),
    "",
    "## Results",
    "",
    mdTable(resultHeader, rows.map(resultCells)),
    "",
    explanation,
    "",
    ...(comparisons.length === 0 ? [] : ["## Paired tests", "", mdTable(comparisonHeader, comparisons.map(comparisonCells)), ""]),
    ...(input.missing.length === 0 ? [] : ["## Not finished", "", ...input.missing.map((m) => `- ${m}`), ""]),
    "## Figures",
    "",
    ...figures.flatMap((f) => [`### ${f.title}`, "", `![${f.title}](${figureFolder}/${f.id}.png)`, "", f.caption, ""])
  ].join("\n")
}

const escape = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

const htmlTable = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>) =>
  `<table><thead><tr>${header.map((h) => `<th>${escape(h)}</th>`).join("")}</tr></thead><tbody>` +
  rows.map((r) => `<tr>${r.map((c) => `<td>${escape(c)}</td>`).join("")}</tr>`).join("") + "</tbody></table>"

const style = `body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:14px}th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}thead{background:#f3f3f3}figure{margin:2em 0}figcaption{color:#555;font-size:14px}
.note{color:#555;font-size:14px}`

export const renderSweepHtml = (input: SweepReportInput, figures: ReadonlyArray<RenderedFigure>) => {
  const { rows, comparisons } = sweepTables(input)
  const markdownBold = (text: string) => escape(text).replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>")
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(input.name)}</title><style>${style}</style></head>
<body>
<h1>${escape(input.name)}</h1>
<p>${escape(input.description)}</p>
<p class="note">${markdownBold(protocol(input))}</p>
<h2>Results</h2>
${htmlTable(resultHeader, rows.map(resultCells))}
<p class="note">${escape(explanation)}</p>
${comparisons.length === 0 ? "" : `<h2>Paired tests</h2>\n${htmlTable(comparisonHeader, comparisons.map(comparisonCells))}`}
${input.missing.length === 0 ? "" : `<h2>Not finished</h2><ul>${input.missing.map((m) => `<li>${escape(m)}</li>`).join("")}</ul>`}
<h2>Figures</h2>
${figures.map((f) => `<figure id="${f.id}"><h3>${escape(f.title)}</h3>${f.svg}<figcaption>${escape(f.caption)}</figcaption></figure>`).join("\n")}
</body></html>
`
}

/** Writes `<folder>/report.html`, `<folder>/report.md` and `<folder>/figures/*.png`; returns the two report paths. */
export const writeSweepReport = (folder: string, input: SweepReportInput) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const figures = sweepFigures(input)
    const rendered: ReadonlyArray<RenderedFigure> = yield* Effect.forEach(figures, (figure) =>
      Effect.promise(() => renderSvg(figure.spec)).pipe(Effect.map((svg) => ({ ...figure, svg }))))
    const figureFolder = path.join(folder, "figures")
    yield* fs.makeDirectory(figureFolder, { recursive: true })
    for (const figure of rendered) {
      yield* writeFileAtomic(path.join(figureFolder, `${figure.id}.png`), svgToPng(figure.svg))
    }
    const html = path.join(folder, "report.html")
    const markdown = path.join(folder, "report.md")
    yield* writeFileAtomic(html, renderSweepHtml(input, rendered))
    yield* writeFileAtomic(markdown, renderSweepMarkdown(input, figures, "figures"))
    return { html, markdown, figures: rendered.map((f) => f.id) }
  })
