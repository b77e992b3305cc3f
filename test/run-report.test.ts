/**
 * A single run's reports from a tiny real run (DAE pre-training, then two
 * learning-rate candidates, so every figure has data): `report.md` links one
 * PNG per figure, and `report.html` renders in headless Chromium (Debian's)
 * with every figure drawn, no console errors and nothing fetched, in light
 * and dark mode. Screenshots of both are kept in test/artifacts/ (ignored by
 * git) for a person to look at.
 */
import { NodeServices } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { findPreset, resolveConfig, runPipeline } from "@rectifier/experiment"
import { Effect } from "effect"
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { launchChromium, repositoryRoot, temporaryFolder } from "./helpers.ts"

const artifacts = join(repositoryRoot, "test", "artifacts")

const figures = [
  "learning-curves",
  "training-cost",
  "learning-rate-candidates",
  "pretraining",
  "sparsity",
  "sparsity-by-epoch",
  "gradient-norms",
  "activation-histograms"
]

describe("a run's report (pipeline, end to end)", () => {
  it.live("writes report.md with PNG figures and a self-contained report.html that Chromium draws in light and dark", () =>
    Effect.gen(function*() {
      const preset = yield* findPreset("mnist-relu-dae")
      const config = yield* resolveConfig(preset, {
        dataset: { trainSize: 300, evaluationSize: 200 },
        training: { hiddenLayers: [16, 16], epochs: 2, learningRates: [0.1, 0.01] },
        pretraining: { ...preset.overrides.pretraining, epochs: 2, batchSize: 10 },
        backend: "wasm"
      })
      const { folder, record } = yield* runPipeline(preset, config, { out: temporaryFolder("run-report") })
      assert.strictEqual(record.result.learningRateCandidates?.length, 2)

      const markdown = readFileSync(join(folder, "report.md"), "utf8")
      for (const id of figures) {
        assert.include(markdown, `](figures/${id}.png)`)
        const png = readFileSync(join(folder, "figures", `${id}.png`))
        assert.strictEqual(png.subarray(1, 4).toString(), "PNG", id)
      }
      const html = readFileSync(join(folder, "report.html"), "utf8")
      assert.notInclude(html, "<script")
      assert.notMatch(html, /(src|href)="https?:/)
      assert.include(html, "prefers-color-scheme")

      const browser = yield* Effect.promise(launchChromium)
      try {
        mkdirSync(artifacts, { recursive: true })
        for (const colorScheme of ["light", "dark"] as const) {
          const page = yield* Effect.promise(() => browser.newPage({ viewport: { width: 1200, height: 900 }, colorScheme }))
          const problems: Array<string> = []
          page.on("console", (message) => {
            if (message.type() === "error") problems.push(message.text())
          })
          page.on("pageerror", (error) => problems.push(error.message))
          page.on("request", (request) => {
            if (!request.url().startsWith("file://")) problems.push(`request: ${request.url()}`)
          })
          page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()}`))
          yield* Effect.promise(() => page.goto(`file://${join(folder, "report.html")}`))
          const drawn = yield* Effect.promise(() =>
            page.$$eval("figure", (nodes) =>
              nodes.map((figure) => {
                const svg = figure.querySelector("svg")
                const box = svg?.getBoundingClientRect()
                return {
                  id: figure.id,
                  width: box?.width ?? 0,
                  height: box?.height ?? 0,
                  marks: svg?.querySelectorAll("path, line, rect").length ?? 0
                }
              }))
          )
          assert.deepStrictEqual(drawn.map((f) => f.id), figures)
          for (const figure of drawn) {
            assert.isAbove(figure.width, 100, figure.id)
            assert.isAbove(figure.height, 100, figure.id)
            assert.isAbove(figure.marks, 3, figure.id)
          }
          // The page follows the scheme: dark text on light, light text on dark.
          const text = yield* Effect.promise(() => page.evaluate("getComputedStyle(document.body).color"))
          assert.strictEqual(text, colorScheme === "light" ? "rgb(34, 34, 34)" : "rgb(228, 228, 228)")
          const screenshot = join(artifacts, `run-report-${colorScheme}.png`)
          yield* Effect.promise(() => page.screenshot({ path: screenshot, fullPage: true }))
          assert.isAbove(statSync(screenshot).size, 10_000)
          assert.deepStrictEqual(problems, [], colorScheme)
          yield* Effect.promise(() => page.close())
        }
      } finally {
        yield* Effect.promise(() => browser.close())
      }
      assert.isTrue(existsSync(join(artifacts, "run-report-dark.png")))
    }).pipe(Effect.provide(NodeServices.layer)), 240_000)
})
