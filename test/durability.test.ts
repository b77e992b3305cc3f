/**
 * Durable writes and honest platform errors: the atomic write flushes the
 * file before renaming it (and the folder after), and a full disk reaches
 * the user as ENOSPC, not Effect's "Unknown". The disk faults are real:
 * the temporary files are redirected to /dev/full, which fails every write
 * with ENOSPC.
 */
import { NodeServices } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { describeError, writeFileAtomic } from "@rectifier/core"
import { checkpointStore, type ModelWeights, writeWeights } from "@rectifier/train"
import { Effect, FileSystem } from "effect"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { temporaryFolder } from "./helpers.ts"

/** The Node file system with `open` and `rename` recorded, and temporary files optionally sent to /dev/full. */
const instrumented = (log: Array<string>, full: boolean) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const wrapped: FileSystem.FileSystem = {
      ...fs,
      open: (path, options) =>
        Effect.map(fs.open(full && path.includes(".tmp-") ? "/dev/full" : path, options), (file) => {
          log.push(`open ${path}`)
          const sync = Effect.tap(file.sync, () => Effect.sync(() => log.push(`sync ${path}`)))
          return new Proxy(file, {
            get: (target, property) => {
              if (property === "sync") return sync
              const value = Reflect.get(target, property, target)
              return typeof value === "function" ? value.bind(target) : value
            }
          })
        }),
      rename: (from, to) => Effect.tap(fs.rename(from, to), () => Effect.sync(() => log.push(`rename ${to}`)))
    }
    return wrapped
  })

const weights: ModelWeights = {
  layers: [{ fanIn: 2, fanOut: 1, weights: new Float32Array([1, 2]), bias: new Float32Array([3]), activationParameters: {} }]
}

describe("atomic writes are durable", () => {
  it.live("the file is flushed before it is renamed into place, and the folder after", () =>
    Effect.gen(function*() {
      const folder = temporaryFolder("fsync")
      const target = join(folder, "results.json")
      const log: Array<string> = []
      const fs = yield* instrumented(log, false)
      yield* writeFileAtomic(target, "{}\n").pipe(Effect.provideService(FileSystem.FileSystem, fs))
      assert.strictEqual(readFileSync(target, "utf8"), "{}\n")
      const syncFile = log.findIndex((l) => l.startsWith("sync ") && l.includes(".tmp-"))
      const rename = log.indexOf(`rename ${target}`)
      const syncFolder = log.indexOf(`sync ${folder}`)
      assert.isAtLeast(syncFile, 0, log.join("\n"))
      assert.isBelow(syncFile, rename, "flushed before the rename")
      assert.isAbove(syncFolder, rename, "the folder is flushed after the rename")
      assert.deepStrictEqual(readdirSync(folder), ["results.json"])
    }).pipe(Effect.provide(NodeServices.layer)))

  it.live("a full disk is reported as ENOSPC, naming the file, and leaves no file behind", () =>
    Effect.gen(function*() {
      const folder = temporaryFolder("enospc")
      const fs = yield* instrumented([], true)
      const onFullDisk = <A, E, R>(effect: Effect.Effect<A, E, R>) => effect.pipe(Effect.provideService(FileSystem.FileSystem, fs))
      const raw = yield* Effect.flip(onFullDisk(writeFileAtomic(join(folder, "a.json"), "{}")))
      assert.include(describeError(raw), "ENOSPC")
      assert.include(describeError(raw), "no space left on device")
      const weightsError = yield* Effect.flip(onFullDisk(writeWeights(join(folder, "weights"), weights)))
      assert.include(weightsError.message, join(folder, "weights.bin"))
      assert.include(weightsError.message, "ENOSPC")
      const store = yield* onFullDisk(checkpointStore(join(folder, "checkpoint")))
      const saveError = yield* Effect.flip(
        store.save({ learningRate: 0.1, epoch: 1, epochs: [], best: undefined, streams: {}, weights, momentum: undefined })
      )
      assert.strictEqual(saveError._tag, "CheckpointUnwritable")
      assert.include(saveError.message, "ENOSPC")
      assert.isFalse(existsSync(join(folder, "checkpoint", "lr-0.1", "latest.json")))
    }).pipe(Effect.provide(NodeServices.layer)))
})
