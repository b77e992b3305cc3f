/**
 * The Report stage: renders a run record and writes it, atomically, next to
 * the record in the run folder: `report.md` with its figures as PNG files in
 * `figures/`, and `report.html`, the same text with the figures as inline
 * SVG (one self-contained file).
 */
import { writeFileAtomic } from "@rectifier/core"
import { Context, Effect, FileSystem, Layer, Path } from "effect"
import type { PlatformError } from "effect/PlatformError"
import { renderSvg, svgToPng } from "./Charts.ts"
import { htmlPage } from "./Html.ts"
import { renderMarkdown, RUN_FIGURE_FOLDER } from "./Markdown.ts"
import { markdownToHtml } from "./MarkdownHtml.ts"
import { runFigures } from "./RunFigures.ts"
import type { RunRecord } from "./RunRecord.ts"

export interface WrittenReport {
  readonly markdown: string
  readonly html: string
  /** The figures' ids, each `figures/<id>.png` beside the reports. */
  readonly figures: ReadonlyArray<string>
}

/** The HTML report: the Markdown's text, each figure's image replaced by its SVG. */
export const renderRunHtml = (record: RunRecord, svgs: ReadonlyMap<string, string>): string =>
  htmlPage(
    record.pipeline,
    markdownToHtml(renderMarkdown(record), (alt, src) => {
      const id = src.slice(`${RUN_FIGURE_FOLDER}/`.length).replace(/\.png$/, "")
      const svg = svgs.get(id)
      return svg === undefined ? `<p>(${alt}: not drawn)</p>` : `<figure id="${id}">${svg}</figure>`
    })
  )

const writeReport = Effect.fn("Report.write")(function*(folder: string, record: RunRecord) {
  const path = yield* Path.Path
  const fs = yield* FileSystem.FileSystem
  const figures = runFigures(record)
  const svgs = new Map<string, string>()
  for (const figure of figures) svgs.set(figure.id, yield* Effect.promise(() => renderSvg(figure.spec)))
  const figureFolder = path.join(folder, RUN_FIGURE_FOLDER)
  yield* fs.makeDirectory(figureFolder, { recursive: true })
  for (const [id, svg] of svgs) yield* writeFileAtomic(path.join(figureFolder, `${id}.png`), svgToPng(svg))
  const written: WrittenReport = {
    markdown: path.join(folder, "report.md"),
    html: path.join(folder, "report.html"),
    figures: figures.map((f) => f.id)
  }
  yield* writeFileAtomic(written.markdown, renderMarkdown(record))
  yield* writeFileAtomic(written.html, renderRunHtml(record, svgs))
  return written
})

export class Report extends Context.Service<Report, {
  /** The Markdown report. */
  readonly render: (record: RunRecord) => string
  /** Writes `report.md`, `figures/*.png` and `report.html` into `folder`. */
  readonly write: (folder: string, record: RunRecord) => Effect.Effect<WrittenReport, PlatformError>
}>()("@rectifier/report/Report") {
  static readonly layer: Layer.Layer<Report, never, FileSystem.FileSystem | Path.Path> = Layer.effect(
    Report,
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      return Report.of({
        render: renderMarkdown,
        write: (folder, record) =>
          writeReport(folder, record).pipe(
            Effect.provideService(FileSystem.FileSystem, fs),
            Effect.provideService(Path.Path, path)
          )
      })
    })
  )
}
