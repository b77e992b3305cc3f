/**
 * The run report's pieces on hand-made records: which figures a record
 * supports, and the Markdown-to-HTML step that keeps report.html saying what
 * report.md says. test/run-report.test.ts renders a real run in Chromium.
 */
import { assert, describe, it } from "@effect/vitest"
import { type RunRecord } from "@rectifier/record"
import { markdownToHtml, renderMarkdown, renderRunHtml, runFigures } from "@rectifier/report"
import { fixedRun } from "./fixtures.ts"

const record: RunRecord = {
  format: "rectifier-run/1",
  pipeline: "run-report-test",
  description: "A record with <angle brackets> & no diagnostics.",
  config: {
    dataset: { name: "mnist", trainSize: 500, evaluationSize: 200, labelledFraction: 1 },
    training: {
      hiddenLayers: [16, 16],
      activation: "rectifier",
      initializer: "glorot-uniform",
      learningRate: 0.05,
      batchSize: 10,
      epochs: 2,
      l1Penalty: 0.001,
      evaluationBatchSize: 200
    },
    seed: 1,
    backend: "wasm",
    threads: 1
  },
  ...fixedRun,
  epochs: [
    { epoch: 1, trainLoss: 1, validationError: 0.2, testError: 0.21, seconds: 1 },
    { epoch: 2, trainLoss: 0.5, validationError: 0.1, testError: 0.11, seconds: 1 }
  ],
  result: { bestEpoch: 2, validationError: 0.1, testError: 0.11, sparsity: { perLayer: [0.5, 0.6], mean: 0.55 } },
  references: []
}

describe("run report", () => {
  it("draws only the figures the record has data for", () => {
    assert.deepStrictEqual(runFigures(record).map((f) => f.id), ["learning-curves", "training-cost", "sparsity"])
    assert.deepStrictEqual(runFigures({ ...record, epochs: [] }).map((f) => f.id), ["sparsity"])
  })

  it("links every figure's PNG from report.md and puts its SVG in report.html", () => {
    const markdown = renderMarkdown(record)
    for (const figure of runFigures(record)) assert.include(markdown, `![${figure.title}](figures/${figure.id}.png)`)
    const html = renderRunHtml(record, new Map(runFigures(record).map((f) => [f.id, `<svg id="svg-${f.id}"></svg>`])))
    for (const figure of runFigures(record)) assert.include(html, `<figure id="${figure.id}"><svg id="svg-${figure.id}"></svg></figure>`)
    assert.include(html, "A record with &lt;angle brackets&gt; &amp; no diagnostics.")
    assert.include(html, "<td>test error</td><td>11.00%</td>")
    assert.notInclude(html, "<script")
  })

  it("turns the report's Markdown subset into HTML", () => {
    const html = markdownToHtml(
      ["# Title", "Text with **bold** and `code`,", "over two lines.", "", "| a | b |", "| --- | --- |", "| 1 | 2 |", "",
        "- one", "- two", "", "![Figure](figures/x.png)"].join("\n"),
      (alt, src) => `<img alt="${alt}" src="${src}">`
    )
    assert.strictEqual(
      html,
      [
        "<h1>Title</h1>",
        "<p>Text with <strong>bold</strong> and <code>code</code>, over two lines.</p>",
        "<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody></table>",
        "<ul><li>one</li><li>two</li></ul>",
        '<img alt="Figure" src="figures/x.png">'
      ].join("\n")
    )
  })
})
