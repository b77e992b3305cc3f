/**
 * Pins the sweep report's bytes: the committed table1-mnist run records,
 * rendered to Markdown and to HTML (figures drawn to SVG), must give exactly
 * the files under __snapshots__/ (".snap": rendered output, not source). A
 * change to the report's wording, numbers or figures shows here as a diff to
 * review; a restructuring must leave it untouched.
 */
import { describe, expect, it } from "@effect/vitest"
import { RunRecord } from "@rectifier/record"
import { renderSvg, renderSweepHtml, renderSweepMarkdown, sweepFigures, type SweepReportInput } from "@rectifier/report"
import { Schema } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"

const runsFolder = join(import.meta.dirname, "../../../results/table1-mnist/runs")
const decode = Schema.decodeUnknownSync(Schema.fromJsonString(RunRecord))

/** The runs committed when the snapshot was taken; later imports add folders beside them and do not move it. */
const pinnedRuns = [
  "rectifier-seed1-bee479df8050",
  "rectifier-seed2-b5986f7411cf",
  "rectifier-seed3-830ec6c6d2d4",
  "softplus-seed1-28e676e5cb5d",
  "softplus-seed2-b0cd65eb8653",
  "tanh-seed1-fe0ba2c6f95a",
  "tanh-seed2-fddb351b0997",
  "tanh-seed3-f5e6dbbd7277"
]

/** The pinned runs, grouped into cells by the folder name's activation ("rectifier-seed1-..."). */
const cells = (): SweepReportInput["cells"] => {
  const byCell = new Map<string, Array<RunRecord>>()
  for (const run of pinnedRuns) {
    const label = run.slice(0, run.indexOf("-seed"))
    const record = decode(readFileSync(join(runsFolder, run, "results.json"), "utf8"))
    byCell.set(label, [...(byCell.get(label) ?? []), record])
  }
  return [...byCell].map(([label, records]) => ({ label, references: records[0]!.references, records }))
}

const input = (): SweepReportInput => {
  const found = cells()
  return {
    name: "table1-mnist",
    description: "The committed MNIST runs of Table 1, rendered as a sweep.",
    cells: found,
    comparisons: [["rectifier", "tanh"], ["rectifier", "softplus", { equivalenceMargin: 0.001 }]],
    claims: [{ text: "a gain claim over the committed cells", larger: ["tanh", "rectifier"], smaller: ["softplus", "rectifier"] }],
    curve: {
      title: "seed",
      logX: false,
      points: found.flatMap((cell) =>
        cell.records.map((r) => ({ series: cell.label, x: r.config.seed, testError: r.result.testError, seed: r.config.seed }))
      )
    },
    activations: [{ label: "rectifier", x: [-1, 0, 1], value: [0, 0, 1], derivative: [0, 0, 1] }],
    missing: ["softplus, seed 3"]
  }
}

describe("sweep report bytes", () => {
  it("renders the committed table1-mnist records to the pinned Markdown and HTML", async () => {
    const report = input()
    const figures = sweepFigures(report)
    const rendered = await Promise.all(figures.map(async (figure) => ({ ...figure, svg: await renderSvg(figure.spec) })))
    await expect(renderSweepMarkdown(report, figures, "figures")).toMatchFileSnapshot("__snapshots__/table1-mnist.md.snap")
    await expect(renderSweepHtml(report, rendered)).toMatchFileSnapshot("__snapshots__/table1-mnist.html.snap")
  })
})
