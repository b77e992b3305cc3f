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
import type { RunRecord } from "@rectifier/record"

/** The paths `Report.write` wrote (`report.md`, `report.html`) and the figures it drew. */
export interface WrittenReport {
  readonly markdown: string
  readonly html: string
  /** The figures' ids, each `figures/<id>.png` beside the reports. */
  readonly figures: ReadonlyArray<string>
}

/** The HTML report: the Markdown's text (linking the figures in `svgs`), each figure's image replaced by its SVG. */
export const renderRunHtml = (record: RunRecord, svgs: ReadonlyMap<string, string>): string =>
  htmlPage(
    record.pipeline,
    markdownToHtml(renderMarkdown(record, runFigures(record).filter((f) => svgs.has(f.id))), (_alt, src) => {
      const id = src.slice(`${RUN_FIGURE_FOLDER}/`.length).replace(/\.png$/, "")
      return `<figure id="${id}">${svgs.get(id) ?? ""}</figure>`
    })
  )

const writeReport = Effect.fn("Report.write")(function*(folder: string, record: RunRecord) {
  const path = yield* Path.Path
  const fs = yield* FileSystem.FileSystem
  // A figure that fails to render is left out with a warning: the record is written already, and a
  // missing picture must not fail the run (or the sweep waiting on it).
  const svgs = new Map<string, string>()
  const pngs = new Map<string, Uint8Array>()
  for (const figure of runFigures(record)) {
    yield* Effect.tryPromise(async () => {
      const svg = await renderSvg(figure.spec)
      return { svg, png: svgToPng(svg) }
    }).pipe(
      Effect.map(({ png, svg }) => {
        svgs.set(figure.id, svg)
        pngs.set(figure.id, png)
      }),
      Effect.catch((error) => Effect.logWarning(`figure ${figure.id} of ${folder} not drawn: ${String(error.cause)}`))
    )
  }
  const figures = runFigures(record).filter((f) => svgs.has(f.id))
  const figureFolder = path.join(folder, RUN_FIGURE_FOLDER)
  yield* fs.makeDirectory(figureFolder, { recursive: true })
  for (const [id, png] of pngs) yield* writeFileAtomic(path.join(figureFolder, `${id}.png`), png)
  const written: WrittenReport = {
    markdown: path.join(folder, "report.md"),
    html: path.join(folder, "report.html"),
    figures: figures.map((f) => f.id)
  }
  yield* writeFileAtomic(written.markdown, renderMarkdown(record, figures))
  yield* writeFileAtomic(written.html, renderRunHtml(record, svgs))
  return written
})

/**
 * The Report stage: renders a run record as Markdown, and writes `report.md`,
 * its figures as PNG and `report.html` into the run folder, each atomically.
 * A figure that fails to render is left out with a warning; `write` fails
 * with a PlatformError only when a file cannot be written. The layer requires
 * FileSystem and Path (the entry point's platform).
 */
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
