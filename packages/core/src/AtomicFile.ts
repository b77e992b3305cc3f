/**
 * Atomic file writes: a reader sees the old file or the whole new one, never
 * a half-written one. The data goes to a temporary file in the same folder,
 * which is then renamed over the target.
 */
import { Effect, FileSystem, Path } from "effect"
import type { PlatformError } from "effect/PlatformError"

let counter = 0

const temporaryName = (target: string): string =>
  `${target}.tmp-${process.pid}-${Date.now().toString(36)}-${(counter++).toString(36)}`

/** Writes `data` to `target` atomically, creating its folder if needed. */
export const writeFileAtomic = Effect.fnUntraced(function*(
  target: string,
  data: string | Uint8Array
): Effect.fn.Return<void, PlatformError, FileSystem.FileSystem | Path.Path> {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  yield* fs.makeDirectory(path.dirname(target), { recursive: true })
  const temporary = temporaryName(target)
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data
  yield* fs.writeFile(temporary, bytes).pipe(
    Effect.flatMap(() => fs.rename(temporary, target)),
    Effect.onError(() => fs.remove(temporary).pipe(Effect.ignore))
  )
})
