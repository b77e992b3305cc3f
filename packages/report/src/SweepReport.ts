/**
 * The report of a pipeline's runs (a sweep, or one cell): per cell our mean
 * ± standard deviation over seeds beside the paper's and the seed article's
 * numbers, the paired tests between cells (difference and equivalence, their
 * p-values Holm-adjusted over the whole report), and the figures (learning
 * curves, sparsity vs test error, the sweep's own curve, activation shapes,
 * time per epoch, and gradient norms and activation probabilities when the
 * records hold them). Renders one self-contained HTML file (inline SVG, no
 * scripts) and one Markdown file with PNG figures beside it.
 */
import { markdownTable, percent, writeFileAtomic } from "@rectifier/core"
import { Effect, FileSystem, Path } from "effect"
import { barChart, type Figure, histogramChart, lineChart, renderSvg, type RenderedFigure, scatterChart, svgToPng } from "./Charts.ts"
import { escapeHtml as escape, figureHtml, htmlPage, htmlTable } from "./Html.ts"
import type { Reference, RunRecord } from "@rectifier/record"
import { describeData } from "./Markdown.ts"
import { claimVerdict, type GainClaim, testClaims } from "./Claims.ts"
import { selectionFigure, selectionHeader, selectionNotes, selectionRows } from "./SelectionReport.ts"
import {
  DEFAULT_EQUIVALENCE_MARGIN,
  holm,
  MIN_SEEDS_FOR_TESTS,
  pairBySeed,
  type PairedTTest,
  pairedTTest,
  SIGNIFICANCE_LEVEL,
  type Summary,
  summarize,
  type Tost,
  tost
} from "./Statistics.ts"

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

/**
 * Two cells to compare, their runs matched by seed. `equivalenceMargin` is
 * TOST's margin in error units (default 0.002, ±0.2 percentage points).
 */
export type Comparison = readonly [a: string, b: string, options?: { readonly equivalenceMargin?: number }]

export interface SweepReportInput {
  readonly name: string
  readonly description: string
  readonly cells: ReadonlyArray<SweepCellRuns>
  readonly comparisons: ReadonlyArray<Comparison>
  readonly curve?: { readonly title: string; readonly logX: boolean; readonly points: ReadonlyArray<CurvePoint> }
  readonly activations: ReadonlyArray<ActivationShape>
  /** Runs the sweep planned but that are not (yet) finished, by label. */
  readonly missing: ReadonlyArray<string>
  /** The paper's claims about effects (Claims.ts), tested in the same Holm family as the comparisons. */
  readonly claims?: ReadonlyArray<GainClaim>
}

export interface CellRow {
  readonly label: string
  /** Finished runs; below MIN_SEEDS_FOR_TESTS the report warns. */
  readonly seeds: number
  readonly testError: Summary | undefined
  readonly sparsity: Summary | undefined
  readonly secondsPerEpoch: Summary | undefined
  readonly bestEpoch: Summary | undefined
  /** The finished runs' wall time added up, in hours: each run holds one core. */
  readonly coreHours: number
  readonly paper: { readonly testError?: number; readonly sparsity?: number }
  readonly seedArticle: { readonly testError?: number; readonly sparsity?: number }
}

export interface ComparisonRow {
  readonly a: string
  readonly b: string
  /** Seeds finished in both cells. */
  readonly seeds: number
  /** Mean of A − B over those seeds; undefined with none. */
  readonly meanDifference: number | undefined
  /** TOST's margin, in error units. */
  readonly margin: number
  /** Undefined below MIN_SEEDS_FOR_TESTS seeds: no test, no claim. */
  readonly tests: ComparisonTests | undefined
}

export interface ComparisonTests {
  readonly difference: PairedTTest
  readonly equivalence: Tost
  /** Holm-adjusted over every test of the report (all paired t-tests and TOSTs). */
  readonly differenceHolm: number
  readonly equivalenceHolm: number
  /** Holm-adjusted paired t-test p below the level. */
  readonly significant: boolean
  /** Holm-adjusted TOST p below the level: equivalent within ±margin. */
  readonly equivalent: boolean
}

const reference = (refs: ReadonlyArray<Reference>, metric: Reference["metric"], source: Reference["source"]) =>
  refs.find((r) => r.metric === metric && r.source === source)?.value

/** The numbers of the report's tables, computed from the records. */
export const sweepTables = (input: SweepReportInput) => {
  const rows: ReadonlyArray<CellRow> = input.cells.map((cell) => ({
    label: cell.label,
    seeds: cell.records.length,
    testError: summarize(cell.records.map((r) => r.result.testError)),
    sparsity: summarize(cell.records.map((r) => r.result.sparsity.mean)),
    secondsPerEpoch: summarize(cell.records.map((r) => r.epochs.reduce((s, e) => s + e.seconds, 0) / r.epochs.length)),
    bestEpoch: summarize(cell.records.map((r) => r.result.bestEpoch)),
    coreHours: cell.records.reduce((sum, r) => sum + r.wallSeconds, 0) / 3600,
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
  const tested = input.comparisons.map(([a, b, options]) => {
    const pairs = pairBySeed(bySeed(a), bySeed(b))
    const margin = options?.equivalenceMargin ?? DEFAULT_EQUIVALENCE_MARGIN
    const enough = pairs.seeds.length >= MIN_SEEDS_FOR_TESTS
    return {
      a,
      b,
      seeds: pairs.seeds.length,
      meanDifference: summarize(pairs.a.map((x, i) => x - pairs.b[i]!))?.mean,
      margin,
      difference: enough ? pairedTTest(pairs.a, pairs.b) : undefined,
      equivalence: enough ? tost(pairs.a, pairs.b, margin) : undefined
    }
  })
  const claimed = testClaims(input.claims ?? [], bySeed)
  // One Holm family for the whole report: each tested comparison's paired t-test p, then its TOST p, then the claims.
  const adjusted = holm([
    ...tested.flatMap((c) => c.difference === undefined ? [] : [c.difference.pValue, c.equivalence!.pValue]),
    ...claimed.flatMap((c) => c.test === undefined ? [] : [c.test.pValue])
  ])
  let next = 0
  const comparisons: ReadonlyArray<ComparisonRow> = tested.map(({ difference, equivalence, ...row }) => {
    if (difference === undefined || equivalence === undefined) return { ...row, tests: undefined }
    const differenceHolm = adjusted[next++]!
    const equivalenceHolm = adjusted[next++]!
    return {
      ...row,
      tests: {
        difference,
        equivalence,
        differenceHolm,
        equivalenceHolm,
        significant: differenceHolm < SIGNIFICANCE_LEVEL,
        equivalent: equivalenceHolm < SIGNIFICANCE_LEVEL
      }
    }
  })
  const claims = claimed.map((tested) => {
    const holmP = tested.test === undefined ? undefined : adjusted[next++]!
    return { ...tested, holmP, verdict: claimVerdict(tested, holmP, SIGNIFICANCE_LEVEL) }
  })
  return { rows, comparisons, claims }
}

const optional = <K extends string>(key: K, value: number | undefined) =>
  value === undefined ? {} : ({ [key]: value } as Record<K, number>)

const pm = (summary: Summary | undefined, scale = 100, digits = 2, unit = "%") =>
  summary === undefined
    ? "—"
    : `${(scale * summary.mean).toFixed(digits)}${unit} ± ${(scale * summary.sd).toFixed(digits)}${unit} (n=${summary.n})`

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
    figures.push({
      id: "curve",
      title: `Test error against ${input.curve.title}`,
      caption: `Mean test error over seeds against ${input.curve.title}, one line per series.` +
        (symlog
          ? ` The x axis is symmetric-log (symlog): logarithmic above ${constant}, linear from 0 to ${constant}, ` +
            `so that ${input.curve.title} = 0 is drawn, at the left end.`
          : input.curve.logX
          ? " The x axis is logarithmic."
          : ""),
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
        ...(symlog ? { xScale: { type: "symlog", constant, ticks: xs, format: "~g" } } : { logX: input.curve.logX }),
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



const resultHeader = [
  "cell",
  "test error, ours (mean ± sd)",
  "test error, paper",
  "test error, seed article",
  "sparsity, ours",
  "sparsity, paper",
  "sparsity, seed article",
  "s / epoch",
  "best epoch",
  "core-hours"
]

const fewSeeds = (row: CellRow) => row.seeds < MIN_SEEDS_FOR_TESTS

const resultCells = (row: CellRow): ReadonlyArray<string> => [
  row.label,
  pm(row.testError) + (fewSeeds(row) ? " ⚠ too few seeds" : ""),
  percent(row.paper.testError),
  percent(row.seedArticle.testError),
  pm(row.sparsity, 100, 1),
  percent(row.paper.sparsity, 1),
  percent(row.seedArticle.sparsity, 1),
  pm(row.secondsPerEpoch, 1, 1, "s"),
  pm(row.bestEpoch, 1, 1, ""),
  row.coreHours.toFixed(2)
]

/** A warning under the results when some cell has fewer seeds than a test needs. */
const seedWarning = (rows: ReadonlyArray<CellRow>) => {
  const few = rows.filter(fewSeeds)
  return few.length === 0 ? undefined : `⚠ Fewer than ${MIN_SEEDS_FOR_TESTS} seeds: ` +
    few.map((row) => `${row.label} (${row.seeds})`).join(", ") +
    ". Their standard deviation rests on too few runs, and no comparison with them is tested."
}

/** Percentage points, e.g. 0.002 -> "0.2". */
const pp = (value: number) => String(Number((100 * value).toPrecision(3)))
const pValue = (p: number) => (p === 0 ? "0" : p < 1e-3 ? p.toExponential(2) : p.toPrecision(3))
const withHolm = (raw: number, adjusted: number) => `${pValue(raw)} (Holm ${pValue(adjusted)})`

const comparisonHeader = [
  "cell A",
  "cell B",
  "mean difference (A − B)",
  "seeds",
  "paired t-test, df = n − 1: p (Holm)",
  "TOST: margin, p (Holm)",
  `verdict at ${SIGNIFICANCE_LEVEL}`
]

const verdict = (row: ComparisonRow) => {
  if (row.tests === undefined) return `too few seeds (${row.seeds}; a test needs ${MIN_SEEDS_FOR_TESTS})`
  const t = row.tests
  const within = `equivalent within ±${pp(row.margin)} pp (TOST p = ${pValue(t.equivalence.pValue)}, Holm ${pValue(t.equivalenceHolm)})`
  if (t.significant && t.equivalent) return `significant difference, and ${within}`
  if (t.significant) return "significant difference"
  return t.equivalent ? within : "not significant"
}

const comparisonCells = (row: ComparisonRow): ReadonlyArray<string> => [
  row.a,
  row.b,
  row.meanDifference === undefined ? "—" : `${(100 * row.meanDifference).toFixed(2)} pp`,
  String(row.seeds),
  row.tests === undefined ? "—" : withHolm(row.tests.difference.pValue, row.tests.differenceHolm),
  row.tests === undefined ? "—" : `±${pp(row.margin)} pp: ${withHolm(row.tests.equivalence.pValue, row.tests.equivalenceHolm)}`,
  verdict(row)
]

const explanation = [
  "Ours: mean ± sample standard deviation over seeds (n runs). The paper (Glorot, Bordes, Bengio 2011) is the",
  "ground truth; the seed article's numbers are what it reports, partly wrong about the paper. Tests pair runs",
  "by seed (the same seed shares initial weights and data order) on per-seed test errors. Difference: paired",
  "t-test, two-sided, df = n − 1. Equivalence: TOST, two one-sided paired t-tests against ±margin",
  `(±${pp(DEFAULT_EQUIVALENCE_MARGIN)} pp of test error unless the comparison sets its own). Every p is shown raw and`,
  `Holm-adjusted over all the tests of this report; a claim needs Holm p < ${SIGNIFICANCE_LEVEL}. "Not significant"`,
  "means no difference was shown, not that the cells are equivalent; only TOST can show that. With fewer than",
  `${MIN_SEEDS_FOR_TESTS} seeds in common there is no test ("too few seeds").`
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
    `; hidden layers ${t.hiddenLayers.join(" x ")} (first cell); SGD, ` +
    (t.learningRates === undefined
      ? `learning rate ${t.learningRate}`
      : `learning rate selected from {${t.learningRates.join(", ")}} on validation error`) +
    `, minibatch ${t.batchSize}, ` +
    (t.patience === undefined ? `${t.epochs} epochs` : `early stopping (patience ${t.patience}, at most ${t.epochs} epochs)`) +
    `; backend ${record.environment.backend.name}; code ${record.environment.rectifier}` +
    (record.environment.commit === undefined ? "" : ` at ${record.environment.commit.slice(0, 12)}${record.environment.dirty ? " (dirty)" : ""}`) +
    "."
}

const claimHeader = ["claim", "seeds", "mean gain difference", "paired t-test, df = n − 1: p (Holm)", "verdict at 0.05"]
const claimCells = (row: ReturnType<typeof sweepTables>["claims"][number]): ReadonlyArray<string> => [
  row.claim.text,
  String(row.seeds),
  row.meanDifference === undefined ? "—" : `${pp(row.meanDifference)} pp`,
  row.test === undefined || row.holmP === undefined ? "—" : withHolm(row.test.pValue, row.holmP),
  row.verdict
]

export const renderSweepMarkdown = (input: SweepReportInput, figures: ReadonlyArray<Figure>, figureFolder: string) => {
  const { claims, comparisons, rows } = sweepTables(input)
  return [
    `# ${input.name}`,
    "",
    input.description,
    "",
    protocol(input),
    "",
    "## Results",
    "",
    markdownTable(resultHeader, rows.map(resultCells)),
    "",
    ...(seedWarning(rows) === undefined ? [] : [`**${seedWarning(rows)}**`, ""]),
    explanation,
    "",
    ...(comparisons.length === 0 ? [] : ["## Paired tests", "", markdownTable(comparisonHeader, comparisons.map(comparisonCells)), ""]),
    ...(claims.length === 0 ? [] : ["## The paper's claims", "", markdownTable(claimHeader, claims.map(claimCells)), ""]),
    ...(selectionRows(input.cells).length === 0 ? [] : [
      "## Learning-rate selection",
      "",
      ...selectionNotes(input.cells).map((n) => `- ${n}`),
      "",
      markdownTable(selectionHeader, selectionRows(input.cells)),
      ""
    ]),
    ...(input.missing.length === 0 ? [] : ["## Not finished", "", ...input.missing.map((m) => `- ${m}`), ""]),
    "## Figures",
    "",
    ...figures.flatMap((f) => [`### ${f.title}`, "", `![${f.title}](${figureFolder}/${f.id}.png)`, "", f.caption, ""])
  ].join("\n")
}

export const renderSweepHtml = (input: SweepReportInput, figures: ReadonlyArray<RenderedFigure>) => {
  const { claims, comparisons, rows } = sweepTables(input)
  const markdownBold = (text: string) => escape(text).replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>")
  return htmlPage(input.name, `<h1>${escape(input.name)}</h1>
<p>${escape(input.description)}</p>
<p class="note">${markdownBold(protocol(input))}</p>
<h2>Results</h2>
${htmlTable(resultHeader, rows.map(resultCells))}
${seedWarning(rows) === undefined ? "" : `<p class="warning">${escape(seedWarning(rows)!)}</p>`}
<p class="note">${escape(explanation)}</p>
${comparisons.length === 0 ? "" : `<h2>Paired tests</h2>\n${htmlTable(comparisonHeader, comparisons.map(comparisonCells))}`}
${claims.length === 0 ? "" : `<h2>The paper's claims</h2>\n${htmlTable(claimHeader, claims.map(claimCells))}`}
${selectionRows(input.cells).length === 0 ? "" : `<h2>Learning-rate selection</h2><ul>${selectionNotes(input.cells).map((n) => `<li>${escape(n)}</li>`).join("")}</ul>\n${htmlTable(selectionHeader, selectionRows(input.cells))}`}
${input.missing.length === 0 ? "" : `<h2>Not finished</h2><ul>${input.missing.map((m) => `<li>${escape(m)}</li>`).join("")}</ul>`}
<h2>Figures</h2>
${figures.map(figureHtml).join("\n")}`)
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
