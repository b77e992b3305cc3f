/**
 * A sweep report as text: the protocol, the results, paired-test, claim and
 * learning-rate selection tables, the runs not finished and the figures, once
 * as Markdown (figures as PNG files beside it) and once as one self-contained
 * HTML page (inline SVG, no scripts).
 */
import { markdownTable, percent } from "@rectifier/core"
import type { Figure, RenderedFigure } from "./Charts.ts"
import { escapeHtml as escape, figureHtml, htmlPage, htmlTable } from "./Html.ts"
import { describeData } from "./Markdown.ts"
import { selectionHeader, selectionNotes, selectionRows } from "./SelectionReport.ts"
import { DEFAULT_EQUIVALENCE_MARGIN, MIN_SEEDS_FOR_TESTS, SIGNIFICANCE_LEVEL, type Summary } from "./Statistics.ts"
import type { SweepReportInput } from "./SweepInput.ts"
import { type CellRow, type ComparisonRow, sweepTables } from "./SweepTables.ts"

/** Mean ± sd over seeds, scaled and with a unit ("1.80% ± 0.14% (n=3)"); "—" with no runs. */
const pm = (summary: Summary | undefined, scale = 100, digits = 2, unit = "%") =>
  summary === undefined
    ? "—"
    : `${(scale * summary.mean).toFixed(digits)}${unit} ± ${(scale * summary.sd).toFixed(digits)}${unit} (n=${summary.n})`

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

/**
 * The sweep report as Markdown: protocol, results, paired tests, claims,
 * learning-rate selection, the runs not finished, and the figures, each
 * linked as `<figureFolder>/<id>.png` with its caption below.
 */
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

/** The sweep report as one self-contained HTML page: the Markdown's sections, the figures as inline SVG. */
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
