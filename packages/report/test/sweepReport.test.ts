import { NodeServices } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { type RunRecord } from "@rectifier/record"
import {
  holm,
  renderSvg,
  renderSweepHtml,
  renderSweepMarkdown,
  sweepFigures,
  type SweepReportInput,
  sweepTables,
  writeSweepReport
} from "@rectifier/report"
import { Effect } from "effect"
import { fixedRun } from "./fixtures.ts"
import { mkdtempSync, readdirSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** A run record as a finished run writes it, with the given results and diagnostics. */
const record = (seed: number, testError: number, sparsity: number, layers: number, l1Penalty: number): RunRecord => ({
  format: "rectifier-run/1",
  pipeline: "report-test",
  description: "records for the report test",
  config: {
    dataset: { name: "mnist", trainSize: 500, evaluationSize: 200, labelledFraction: 1 },
    training: {
      hiddenLayers: Array.from({ length: layers }, () => 16),
      activation: "rectifier",
      initializer: "glorot-uniform",
      learningRate: 0.05,
      batchSize: 10,
      epochs: 2,
      l1Penalty,
      evaluationBatchSize: 200
    },
    seed,
    backend: "wasm",
    threads: 1
  },
  ...fixedRun,
  epochs: [
    {
      epoch: 1,
      trainLoss: 1,
      validationError: testError + 0.05,
      testError: testError + 0.05,
      seconds: 1 + layers,
      diagnostics: diagnostics(layers, 1)
    },
    { epoch: 2, trainLoss: 0.5, validationError: testError, testError, seconds: 1 + layers, diagnostics: diagnostics(layers, 0.5) }
  ],
  result: { bestEpoch: 2, validationError: testError, testError, sparsity: { perLayer: [sparsity], mean: sparsity } },
  references: []
})

/** Trainer-style diagnostics: gradient norms shrinking towards the output, units spread over the tenths. */
function diagnostics(layers: number, scale: number) {
  return {
    gradientNorms: Array.from({ length: layers + 1 }, (_, l) => scale / (l + 1)),
    gradientExamples: 256,
    examples: 200,
    activationEdges: [0],
    layers: Array.from({ length: layers }, (_, l) => ({
      sparsity: 0.5,
      deadUnits: l,
      activeProbabilityHistogram: Array.from({ length: 10 }, (_, bin) => (bin + l) % 3),
      activationHistogram: [100, 100]
    }))
  }
}

const input: SweepReportInput = {
  name: "report-test",
  description: "Two depths, three seeds each.",
  cells: [
    {
      label: "2 layers",
      references: [{ metric: "testError", value: 0.0143, source: "paper", where: "Table 1" }],
      records: [record(1, 0.10, 0.5, 2, 0.001), record(2, 0.12, 0.6, 2, 0.001), record(3, 0.11, 0.55, 2, 0.001)]
    },
    {
      label: "3 layers",
      references: [{ metric: "testError", value: 0.022, source: "seed-article", where: "MNIST" }],
      records: [record(1, 0.20, 0.7, 3, 0.01), record(2, 0.22, 0.8, 3, 0.01), record(3, 0.21, 0.75, 3, 0.01)]
    }
  ],
  comparisons: [["2 layers", "3 layers"]],
  curve: {
    title: "L1 penalty",
    logX: true,
    points: [1, 2, 3].flatMap((seed) => [
      { series: "rectifier", x: 0.001, testError: 0.1 + seed / 100, seed },
      { series: "rectifier", x: 0.01, testError: 0.2 + seed / 100, seed }
    ])
  },
  activations: [{ label: "rectifier", x: [-1, 0, 1], value: [0, 0, 1], derivative: [0, 0, 1] }],
  missing: ["4 layers, seed 1"]
}

describe("sweep report", () => {
  it("tables: mean ± sd per cell beside both references, and the paired test", () => {
    const { rows, comparisons } = sweepTables(input)
    assert.closeTo(rows[0]!.testError!.mean, 0.11, 1e-12)
    assert.closeTo(rows[0]!.testError!.sd, 0.01, 1e-12)
    assert.strictEqual(rows[0]!.paper.testError, 0.0143)
    assert.strictEqual(rows[1]!.seedArticle.testError, 0.022)
    assert.strictEqual(rows[1]!.secondsPerEpoch!.mean, 4)
    // Differences -0.1 at every seed: a constant shift is significant.
    assert.closeTo(comparisons[0]!.tests!.difference.meanDifference, -0.1, 1e-12)
    assert.isTrue(comparisons[0]!.tests!.significant)
  })

  it.live("renders every figure the records support to SVG, PNG, HTML and Markdown", () =>
    Effect.gen(function*() {
      const ids = sweepFigures(input).map((f) => f.id)
      assert.deepStrictEqual(ids, [
        "learning-curves",
        "training-cost",
        "sparsity-vs-error",
        "curve",
        "time-per-epoch",
        "activations",
        "gradient-norms",
        "activation-probabilities"
      ])
      // Learning curves carry a ± sd band over seeds under each cell's mean line.
      const curves = sweepFigures(input)[0]!.spec as unknown as { layer: Array<{ mark: { type: string } }> }
      assert.deepStrictEqual(curves.layer.map((l) => l.mark.type), ["area", "line"])
      const svg = yield* Effect.promise(() => renderSvg(sweepFigures(input)[6]!.spec))
      assert.match(svg, /^<svg/)
      const folder = mkdtempSync(join(tmpdir(), "rectifier-report-"))
      const written = yield* writeSweepReport(folder, input)
      assert.deepStrictEqual(readdirSync(join(folder, "figures")).sort(), ids.map((id) => `${id}.png`).sort())
      const png = readFileSync(join(folder, "figures", "curve.png"))
      assert.strictEqual(png.subarray(1, 4).toString(), "PNG")
      const html = readFileSync(written.html, "utf8")
      assert.strictEqual(html.match(/<figure /g)?.length, ids.length)
      assert.notInclude(html, "<script")
      assert.include(html, "11.00% ± 1.00% (n=3)")
      const markdown = readFileSync(written.markdown, "utf8")
      assert.include(markdown, "| 2 layers | 11.00% ± 1.00% (n=3) | 1.43% | — |")
      assert.include(markdown, "| 3 layers | 21.00% ± 1.00% (n=3) | — | 2.20% |")
      assert.include(markdown, "| 2 layers | 3 layers | -10.00 pp | 3 |")
      assert.include(markdown, "- 4 layers, seed 1")
    }).pipe(Effect.provide(NodeServices.layer)))

  it.live("draws a log-x curve that holds 0 (L1 = 0) on a symlog axis, and says so", () =>
    Effect.gen(function*() {
      const withZero: SweepReportInput = {
        ...input,
        curve: {
          ...input.curve!,
          points: [0, 0.001, 0.01].map((x, i) => ({ series: "rectifier", x, testError: 0.1 + i / 100, seed: 1 }))
        }
      }
      const curve = sweepFigures(withZero).find((f) => f.id === "curve")!
      assert.include(curve.caption, "symmetric-log (symlog)")
      assert.include(curve.caption, "L1 penalty = 0 is drawn")
      const x = (curve.spec as { encoding: { x: { scale: unknown; axis: { values: unknown } } } }).encoding.x
      assert.deepStrictEqual(x.scale, { type: "symlog", constant: 0.001 })
      assert.deepStrictEqual(x.axis.values, [0, 0.001, 0.01])
      // All three points are drawn (a log scale would put 0 at -Infinity and drop it).
      const svg = yield* Effect.promise(() => renderSvg(curve.spec))
      const symbols = /<g class="mark-symbol role-mark[^>]*>(.*?)<\/g>/.exec(svg)?.[1] ?? ""
      assert.strictEqual(symbols.match(/<path/g)?.length, 3)
      assert.notInclude(svg, "NaN")
      assert.notInclude(svg, "Infinity")
      // Without 0 the axis stays logarithmic.
      const positive = sweepFigures(input).find((f) => f.id === "curve")!
      assert.include(positive.caption, "The x axis is logarithmic.")
      assert.deepStrictEqual((positive.spec as { encoding: { x: { scale: unknown } } }).encoding.x.scale, { type: "log" })
    }))

  it.live("puts the test error on a log axis when it spans more than a factor of 10, and says so", () =>
    Effect.gen(function*() {
      const ids = ["sparsity-vs-error", "curve"] as const
      const yScale = (figure: { spec: unknown }) => (figure.spec as { encoding: { y: { scale?: unknown } } }).encoding.y.scale
      // 0.10-0.22: a linear axis shows the differences.
      for (const id of ids) {
        const figure = sweepFigures(input).find((f) => f.id === id)!
        assert.notInclude(figure.caption, "logarithmic: the test errors")
        assert.notDeepEqual(yScale(figure), { type: "log" })
      }
      // A penalty that kills the net (88% error beside 1.4%): one working and one dead cell, as Figure 3's sweep has.
      const dead: SweepReportInput = {
        ...input,
        cells: [
          { ...input.cells[0]!, records: [1, 2, 3].map((seed) => record(seed, 0.014, 0.8, 2, 0.00001)) },
          { ...input.cells[1]!, records: [1, 2, 3].map((seed) => record(seed, 0.88, 0.93, 2, 0.1)) }
        ],
        curve: {
          ...input.curve!,
          points: [1, 2, 3].flatMap((seed) => [
            { series: "rectifier", x: 0.00001, testError: 0.014, seed },
            { series: "rectifier", x: 0.1, testError: 0.88, seed }
          ])
        }
      }
      for (const id of ids) {
        const figure = sweepFigures(dead).find((f) => f.id === id)!
        assert.include(figure.caption, "The y axis is logarithmic: the test errors span more than a factor of 10.")
        assert.deepStrictEqual(yScale(figure), { type: "log" })
        const svg = yield* Effect.promise(() => renderSvg(figure.spec))
        assert.notInclude(svg, "NaN")
      }
    }))

  it.live("draws the seed article's published (sparsity, error) beside our runs in Figure 3's scatter", () =>
    Effect.gen(function*() {
      const scatter = (report: SweepReportInput) => sweepFigures(report).find((f) => f.id === "sparsity-vs-error")!
      // Without a published pair the figure has one kind of point and says nothing of the article.
      assert.notInclude(scatter(input).caption, "seed article")
      assert.notProperty((scatter(input).spec as { encoding: object }).encoding, "shape")
      const [first, ...rest] = input.cells
      const published: SweepReportInput = {
        ...input,
        cells: [{
          ...first!,
          references: [
            ...first!.references,
            { metric: "sparsity", value: 0.6, source: "seed-article", where: "L1 sweep" },
            { metric: "testError", value: 0.0145, source: "seed-article", where: "L1 sweep" }
          ]
        }, ...rest]
      }
      const figure = scatter(published)
      assert.include(figure.caption, "the seed article's published point for each cell is drawn beside ours")
      const spec = figure.spec as { data: { values: Array<Record<string, unknown>> }; encoding: { shape: { field: string } } }
      assert.strictEqual(spec.encoding.shape.field, "source")
      const points = spec.data.values
      assert.deepStrictEqual(points.filter((p) => p["source"] === "seed article"), [
        { cell: first!.label, sparsity: 0.6, "test error": 0.0145, source: "seed article" }
      ])
      const runs = input.cells.reduce((n, c) => n + c.records.length, 0)
      assert.strictEqual(points.filter((p) => p["source"] === "ours").length, runs)
      const svg = yield* Effect.promise(() => renderSvg(figure.spec))
      const symbols = /<g class="mark-symbol role-mark[^>]*>(.*?)<\/g>/.exec(svg)?.[1] ?? ""
      assert.strictEqual(symbols.match(/<path/g)?.length, runs + 1)
      assert.include(svg, "seed article")
    }))

  it("states its statistics: Holm over the report, TOST for equivalence, no test below 3 seeds", () => {
    const cell = (label: string, errors: ReadonlyArray<number>) => ({
      label,
      references: [],
      records: errors.map((e, i) => record(i + 1, e, 0.5, 2, 0.001))
    })
    const pairs: ReadonlyArray<readonly [string, string]> = [["A", "B"], ["A", "C"], ["A", "D"]]
    const stated: SweepReportInput = {
      ...input,
      cells: [
        cell("A", [0.0181, 0.0185, 0.0179, 0.0190]),
        cell("B", [0.0183, 0.0182, 0.0181, 0.0186]), // within 0.2 pp of A at every seed
        cell("C", [0.031, 0.018, 0.026, 0.012]), // noisy: no difference shown, and no equivalence either
        cell("D", [0.02, 0.021])
      ],
      // Plain pairs (as presets give them) and one with its own, tighter margin.
      comparisons: [...pairs, ["A", "B", { equivalenceMargin: 0.0001 }]],
      missing: []
    }
    const { comparisons } = sweepTables(stated)
    const [ab, ac, ad, abTight] = comparisons
    const family = [ab!, ac!, abTight!].flatMap((c) => [c.tests!.difference.pValue, c.tests!.equivalence.pValue])
    assert.deepStrictEqual(
      [ab!, ac!, abTight!].flatMap((c) => [c.tests!.differenceHolm, c.tests!.equivalenceHolm]),
      [...holm(family)]
    )
    assert.isTrue(ab!.tests!.equivalent)
    assert.isFalse(ab!.tests!.significant)
    assert.isFalse(ac!.tests!.equivalent || ac!.tests!.significant)
    assert.isUndefined(ad!.tests)
    assert.strictEqual(ad!.seeds, 2)
    assert.isFalse(abTight!.tests!.equivalent)

    const markdown = renderSweepMarkdown(stated, [], "figures")
    const row = (a: string, b: string, margin: string) =>
      markdown.split("\n").find((line) => line.startsWith(`| ${a} | ${b} |`) && line.includes(`±${margin} pp:`))
    assert.include(markdown, "paired t-test, two-sided, df = n − 1")
    assert.match(row("A", "B", "0.2")!, /\| equivalent within ±0\.2 pp \(TOST p = [0-9.e-]+, Holm [0-9.e-]+\) \|$/)
    assert.match(row("A", "C", "0.2")!, /\| not significant \|$/)
    assert.notInclude(row("A", "C", "0.2")!, "equivalent")
    assert.match(row("A", "B", "0.01")!, /\| not significant \|$/)
    assert.include(markdown, "| A | D | -0.22 pp | 2 | — | — | too few seeds (2; a test needs 3) |")
    assert.include(markdown, "| D | 2.05% ± 0.07% (n=2) ⚠ too few seeds |")
    assert.include(markdown, "**⚠ Fewer than 3 seeds: D (2).")
    assert.include(renderSweepHtml(stated, []), '<p class="warning">⚠ Fewer than 3 seeds: D (2).')
  })
})
