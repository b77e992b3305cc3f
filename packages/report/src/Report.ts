/**
 * The Report stage: renders a run record and writes it, atomically, next to
 * the record in the run folder.
 */
import { writeFileAtomic } from "@rectifier/core"
import { Context, Effect, FileSystem, Layer, Path } from "effect"
import type { PlatformError } from "effect/PlatformError"
import { renderMarkdown } from "./Markdown.ts"
import type { RunRecord } from "./RunRecord.ts"

export class Report extends Context.Service<Report, {
  readonly render: (record: RunRecord) => string
  /** Writes `report.md` into `folder`; returns its path. */
  readonly write: (folder: string, record: RunRecord) => Effect.Effect<string, PlatformError>
}>()("@rectifier/report/Report") {
  static readonly layer: Layer.Layer<Report, never, FileSystem.FileSystem | Path.Path> = Layer.effect(
    Report,
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      return Report.of({
        render: renderMarkdown,
        write: (folder, record) => {
          const target = path.join(folder, "report.md")
          return writeFileAtomic(target, renderMarkdown(record)).pipe(
            Effect.as(target),
            Effect.provideService(FileSystem.FileSystem, fs),
            Effect.provideService(Path.Path, path)
          )
        }
      })
    })
  )
}
