/**
 * Run folders: one per run under the output folder, named after the
 * pipeline, the start time and the seed; never reused.
 */
import { Effect, FileSystem, Path } from "effect"
import { describeError } from "@rectifier/core"
import { RunFolderUnavailable } from "./PipelineError.ts"

const stamp = (date: Date): string => date.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")

/** Creates a fresh folder `<out>/<pipeline>-<time>-seed<seed>[-n]` and returns its path. */
export const createRunFolder = (out: string, pipeline: string, seed: number, started: Date) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const fail = (folder: string) => (error: { readonly message: string }) =>
      new RunFolderUnavailable({ folder, reason: describeError(error) })
    yield* fs.makeDirectory(out, { recursive: true }).pipe(Effect.mapError(fail(out)))
    const base = path.join(out, `${pipeline}-${stamp(started)}-seed${seed}`)
    for (let attempt = 1;; attempt++) {
      const folder = attempt === 1 ? base : `${base}-${attempt}`
      const created = yield* fs.makeDirectory(folder).pipe(
        Effect.as(true),
        Effect.catchReason("PlatformError", "AlreadyExists", () => Effect.succeed(false)),
        Effect.mapError(fail(folder))
      )
      if (created) return path.resolve(folder)
    }
  })
