/**
 * Atomic, durable file writes: a reader sees the old file or the whole new
 * one, never a half-written one, and once the write has returned the new
 * file survives a power loss. The data goes to a temporary file in the same
 * folder and is flushed to disk (fsync) before that file is renamed over the
 * target; the folder is flushed after the rename so the rename itself is on
 * disk. Without the first flush a crash after the rename can leave the target
 * empty or truncated on some file systems (ext4 with delalloc, XFS).
 */
import { Effect, FileSystem, Path } from "effect"
import type { PlatformError } from "effect/PlatformError"

let counter = 0

const temporaryName = (target: string): string =>
  `${target}.tmp-${process.pid}-${Date.now().toString(36)}-${(counter++).toString(36)}`

/** Writes `data` to `target` atomically and durably, creating its folder if needed. */
export const writeFileAtomic = Effect.fnUntraced(function*(
  target: string,
  data: string | Uint8Array
): Effect.fn.Return<void, PlatformError, FileSystem.FileSystem | Path.Path> {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const folder = path.dirname(target)
  yield* fs.makeDirectory(folder, { recursive: true })
  const temporary = temporaryName(target)
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data
  const writeAndFlush = Effect.scoped(Effect.gen(function*() {
    const file = yield* fs.open(temporary, { flag: "w" })
    yield* file.writeAll(bytes)
    yield* file.sync
  }))
  yield* writeAndFlush.pipe(
    Effect.flatMap(() => fs.rename(temporary, target)),
    Effect.onError(() => fs.remove(temporary).pipe(Effect.ignore))
  )
  // The rename is durable once the folder's entry is: flush the folder. Some
  // platforms cannot open or flush a folder; the file itself is already safe.
  yield* Effect.scoped(Effect.gen(function*() {
    const directory = yield* fs.open(folder, { flag: "r" })
    yield* directory.sync
  })).pipe(Effect.ignore)
})
