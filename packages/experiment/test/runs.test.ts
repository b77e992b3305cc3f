import { NodeServices } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { defaults } from "@rectifier/experiment"
import {
  acquireRunLock,
  canonicalJson,
  clearStaleLock,
  processStartTime,
  runKey,
  slug,
  takeRunLock
} from "@rectifier/experiment"
import { Effect } from "effect"
import { spawn, spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs"
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
        const held = JSON.parse(readFileSync(lock, "utf8"))
        assert.strictEqual(held.pid, process.pid)
        assert.strictEqual(held.start, processStartTime(process.pid))
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

  it.live("a reused pid does not hold a lock: a live pid with another start time, or one started after a bare-pid lock, is stale", () =>
    Effect.gen(function*() {
      const folder = mkdtempSync(join(tmpdir(), "rectifier-lock-reused-"))
      const lock = join(folder, "run.lock")
      // pid 1 always runs; the lock says it started at another time, so the writer is gone and the id reused.
      writeFileSync(lock, JSON.stringify({ pid: 1, start: (processStartTime(1) ?? 0) + 12345, token: "old" }))
      const token = yield* takeRunLock(folder)
      assert.strictEqual(JSON.parse(readFileSync(lock, "utf8")).token, token)
      // The same lock naming pid 1 at its real start time is live: refused, naming the process.
      writeFileSync(lock, JSON.stringify({ pid: 1, start: processStartTime(1), token: "live" }))
      const refused = yield* Effect.flip(takeRunLock(folder))
      assert.strictEqual(refused._tag, "RunLocked")
      assert.include(refused.message, "process 1 ")
      // An older lock holding only "1", written before pid 1 started (a container restarted): stale.
      writeFileSync(lock, "1")
      utimesSync(lock, new Date(0), new Date(0))
      yield* takeRunLock(folder)
      assert.strictEqual(JSON.parse(readFileSync(lock, "utf8")).pid, process.pid)
      assert.deepStrictEqual(readdirSync(folder), ["run.lock"], "no stray files beside the lock")
    }))

  it.live("of several processes taking over one stale lock at once, exactly one wins", () =>
    Effect.sync(() => {
      const contender = join(import.meta.dirname, "lock-contender.ts")
      for (let round = 0; round < 3; round++) {
        const folder = mkdtempSync(join(tmpdir(), "rectifier-lock-race-"))
        const dead = spawnSync("true").pid!
        writeFileSync(join(folder, "run.lock"), JSON.stringify({ pid: dead, start: 1, token: "stale" }))
        // Each contender waits for the same instant, then tries; winners hold the lock for a second.
        const at = Date.now() + 1500
        const results = spawnSync("bash", ["-c", Array.from({ length: 6 }, () =>
          `"${process.execPath}" "${contender}" "${folder}" ${at} &`).join(" ") + " wait"], { encoding: "utf8" })
        const lines = results.stdout.trim().split("\n")
        assert.strictEqual(lines.length, 6, results.stderr)
        assert.strictEqual(lines.filter((l) => l === "won").length, 1, `round ${round}: ${lines.join(", ")}`)
      }
    }))
})
