/**
 * Writes the report of a pipeline's runs (a sweep, or one cell): its tables
 * (SweepTables.ts), figures (SweepFigures.ts) and text (SweepRendering.ts)
 * as `report.md` with PNG figures beside it and one self-contained
 * `report.html`.
 */
import { writeFileAtomic } from "@rectifier/core"
import { Effect, FileSystem, Path } from "effect"
import { renderSvg, type RenderedFigure, svgToPng } from "./Charts.ts"
import { sweepFigures } from "./SweepFigures.ts"
import type { SweepReportInput } from "./SweepInput.ts"
import { renderSweepHtml, renderSweepMarkdown } from "./SweepRendering.ts"

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
