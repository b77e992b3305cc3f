import { NodeServices } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { defaults } from "@rectifier/pipeline"
import { acquireRunLock, canonicalJson, clearStaleLock, runKey, slug } from "@rectifier/sweep"
import { Effect } from "effect"
import { spawn, spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

describe("run identity", () => {
  it("hashes the resolved config and numerics version, not key order", () => {
    const key = runKey(defaults, 1)
    assert.match(key, /^[0-9a-f]{12}$/)
    const reordered = JSON.parse(canonicalJson({ ...defaults, training: { ...defaults.training } }))
    assert.strictEqual(runKey(reordered, 1), key)
    assert.notStrictEqual(runKey({ ...defaults, seed: 2 }, 1), key)
    assert.notStrictEqual(runKey({ ...defaults, backend: "wasm" }, 1), key)
    assert.notStrictEqual(runKey(defaults, 2), key)
    assert.strictEqual(canonicalJson({ b: 1, a: { d: 2, c: 3 } }), "{\"a\":{\"c\":3,\"d\":2},\"b\":1}")
    assert.strictEqual(slug("tanh, pre-trained"), "tanh-pre-trained")
    assert.strictEqual(slug("a = 1.3"), "a-1.3")
  })
})

describe("run lock", () => {
  it.live("refuses a folder a live process holds, takes over a dead one's, and releases", () =>
    Effect.gen(function*() {
      const folder = mkdtempSync(join(tmpdir(), "rectifier-lock-"))
      const lock = join(folder, "run.lock")
      const sleeper = spawn("sleep", ["30"])
      try {
        writeFileSync(lock, String(sleeper.pid))
        const refused = yield* Effect.flip(Effect.scoped(acquireRunLock(folder)))
        assert.strictEqual(refused._tag, "RunLocked")
        assert.include(refused.message, String(sleeper.pid))
      } finally {
        sleeper.kill()
      }
      const dead = spawnSync("true").pid!
      writeFileSync(lock, String(dead))
      yield* Effect.scoped(Effect.gen(function*() {
        yield* acquireRunLock(folder)
        assert.strictEqual(readFileSync(lock, "utf8"), String(process.pid))
      }))
      assert.isFalse(existsSync(lock))
      // A finished run's lock left by a killed sweep is cleared; a live holder's is kept.
      writeFileSync(lock, String(dead))
      clearStaleLock(folder)
      assert.isFalse(existsSync(lock))
      writeFileSync(lock, String(process.pid))
      clearStaleLock(folder)
      assert.isTrue(existsSync(lock))
    }).pipe(Effect.provide(NodeServices.layer)))
})
