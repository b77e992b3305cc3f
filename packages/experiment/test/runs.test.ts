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
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs"
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

  it("hashes the sparse products' version only for runs that turn them on", () => {
    const sparse = { ...defaults, sparseProducts: "auto" as const }
    // A new version of the sparse kernels re-keys sparse runs and leaves dense ones where they were.
    assert.strictEqual(runKey(defaults, 1, 3), runKey(defaults, 1, 2))
    assert.notStrictEqual(runKey(sparse, 1, 3), runKey(sparse, 1, 2))
    assert.notStrictEqual(runKey(sparse, 1), runKey(defaults, 1))
  })
})

describe("run lock", () => {
  it.live("a lock file in a foreign shape names no live process: a live pid written as text, or garbage, is taken over", () =>
    Effect.gen(function*() {
      const folder = mkdtempSync(join(tmpdir(), "rectifier-lock-shape-"))
      const lock = join(folder, "run.lock")
      for (const content of [JSON.stringify({ pid: String(process.ppid), token: "x" }), "{ not json", "[]"]) {
        writeFileSync(lock, content)
        yield* Effect.scoped(Effect.gen(function*() {
          yield* acquireRunLock(folder)
          assert.strictEqual(JSON.parse(readFileSync(lock, "utf8")).pid, process.pid, content)
        }))
      }
      // A well-formed lock of a live process still holds.
      writeFileSync(lock, JSON.stringify({ pid: process.ppid, start: processStartTime(process.ppid), token: "x" }))
      assert.strictEqual((yield* Effect.flip(Effect.scoped(acquireRunLock(folder))))._tag, "RunLocked")
    }).pipe(Effect.provide(NodeServices.layer)))

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

  it.live("of several processes taking over one stale lock at once, exactly one wins, over many rounds", () =>
    Effect.sync(() => {
      const contender = join(import.meta.dirname, "lock-contender.ts")
      const contenders = 6
      const rounds = 60
      const base = mkdtempSync(join(tmpdir(), "rectifier-lock-race-"))
      const dead = spawnSync("true").pid!
      for (let round = 0; round < rounds; round++) {
        mkdirSync(join(base, String(round)))
        writeFileSync(join(base, String(round), "run.lock"), JSON.stringify({ pid: dead, start: 1, token: `stale-${round}` }))
      }
      // Every contender takes round r's lock at the same instant; the winners keep theirs while the others try.
      const at = Date.now() + 2000
      const results = spawnSync("bash", ["-c", Array.from({ length: contenders }, () =>
        `"${process.execPath}" "${contender}" "${base}" ${rounds} ${at} 40 &`).join(" ") + " wait"], { encoding: "utf8" })
      const lines = results.stdout.trim().split("\n")
      assert.strictEqual(lines.length, contenders * rounds, results.stderr)
      for (let round = 0; round < rounds; round++) {
        const won = lines.filter((l) => l.startsWith(`${round} won `))
        assert.strictEqual(won.length, 1, `round ${round}: ${lines.filter((l) => l.startsWith(`${round} `)).join(", ")}`)
        const lock = JSON.parse(readFileSync(join(base, String(round), "run.lock"), "utf8"))
        assert.strictEqual(lock.token, won[0]!.split(" ")[2], `round ${round}: the lock is the winner's`)
        assert.deepStrictEqual(readdirSync(join(base, String(round))), ["run.lock"], `round ${round}: no stray files`)
      }
    }))

  it.live("three processes over one stale lock, one of them slow in the middle of its takeover: exactly one wins", () =>
    Effect.sync(() => {
      // B judges the lock stale first but is slow around its rename; A takes the lock meanwhile; C arrives while
      // B has moved the lock aside. Before takeover markers B moved A's fresh lock aside, C created its own, and
      // B's attempt to put A's back failed: A and C both held the lock.
      const contender = join(import.meta.dirname, "lock-contender.ts")
      const base = mkdtempSync(join(tmpdir(), "rectifier-lock-slow-"))
      mkdirSync(join(base, "0"))
      writeFileSync(join(base, "0", "run.lock"), JSON.stringify({ pid: spawnSync("true").pid!, start: 1, token: "stale" }))
      const at = Date.now() + 2000
      const start = (offset: number, slowRename: number) =>
        `"${process.execPath}" "${contender}" "${base}" 1 ${at + offset} 0 ${slowRename} &`
      const results = spawnSync("bash", ["-c", `${start(0, 300)} ${start(100, 0)} ${start(450, 0)} wait`], { encoding: "utf8" })
      const lines = results.stdout.trim().split("\n")
      assert.strictEqual(lines.length, 3, results.stderr)
      const won = lines.filter((l) => l.startsWith("0 won "))
      assert.strictEqual(won.length, 1, lines.join(", "))
      assert.strictEqual(JSON.parse(readFileSync(join(base, "0", "run.lock"), "utf8")).token, won[0]!.split(" ")[2])
    }))

  it.effect("the private files of claims killed midway are deleted by the next holder; a live writer's are kept", () =>
    Effect.gen(function*() {
      const folder = mkdtempSync(join(tmpdir(), "rectifier-lock-leftovers-"))
      const dead = JSON.stringify({ pid: spawnSync("true").pid!, start: 1, token: "gone" })
      const alive = JSON.stringify({ pid: process.pid, start: processStartTime(process.pid), token: "mine" })
      const leftovers = ["run.lock.new-a1", "run.lock.stale-b2", "run.lock.takeover-gone.new-c3", "run.lock.takeover-gone.takeover-x.new-d4"]
      for (const name of leftovers) writeFileSync(join(folder, name), dead)
      writeFileSync(join(folder, "run.lock.takeover-mine.new-e5"), alive)
      writeFileSync(join(folder, "run.lock.new-half"), "{\"pid\": 1") // cut short by the kill: names no process
      writeFileSync(join(folder, "results.json"), dead) // not a lock's file: never touched
      yield* takeRunLock(folder)
      assert.deepStrictEqual(readdirSync(folder).sort(), ["results.json", "run.lock", "run.lock.takeover-mine.new-e5"])
    }))

  it.live("a takeover marker left by a process killed mid-takeover is taken over; one left at the second level fails naming it", () =>
    Effect.gen(function*() {
      const contender = join(import.meta.dirname, "lock-contender.ts")
      const base = mkdtempSync(join(tmpdir(), "rectifier-lock-killed-"))
      const folder = join(base, "0")
      const stale = () => {
        mkdirSync(folder, { recursive: true })
        writeFileSync(join(folder, "run.lock"), JSON.stringify({ pid: spawnSync("true").pid!, start: 1, token: "stale" }))
      }
      /** Starts a contender that is slow in its takeover and SIGKILLs it once `marker` exists: it dies holding it. */
      const killHolding = (marker: string) =>
        Effect.promise(() =>
          new Promise<void>((resolve, reject) => {
            const child = spawn(process.execPath, [contender, base, "1", "0", "0", "5000"], { stdio: "ignore" })
            const poll = setInterval(() => {
              if (!existsSync(marker)) return
              clearInterval(poll)
              child.kill("SIGKILL")
              child.on("exit", () => resolve())
            }, 5)
            child.on("exit", (code) => code !== null && reject(new Error(`the contender ended by itself (exit ${code})`)))
          })
        )
      const marker = join(folder, "run.lock.takeover-stale")
      const files = () => readdirSync(folder).sort()

      // Killed once, holding the marker of the stale lock: the next process takes the marker over, then the lock.
      stale()
      yield* killHolding(marker)
      assert.deepStrictEqual(files(), ["run.lock", "run.lock.takeover-stale"])
      const token = yield* takeRunLock(folder)
      assert.strictEqual(JSON.parse(readFileSync(join(folder, "run.lock"), "utf8")).token, token)
      assert.deepStrictEqual(files(), ["run.lock"])

      // Killed twice: the second while it took over the first one's marker. That is not guessed at: it fails naming the file.
      rmSync(folder, { recursive: true })
      stale()
      yield* killHolding(marker)
      const markerToken = JSON.parse(readFileSync(marker, "utf8")).token
      const second = `${marker}.takeover-${markerToken}`
      yield* killHolding(second)
      const stuck = yield* Effect.flip(takeRunLock(folder))
      assert.strictEqual(stuck._tag, "RunLockStuck")
      assert.include(stuck.message, `${second} was left by processes killed`)
      assert.include(stuck.message, `delete ${second}`)
      assert.strictEqual(JSON.parse(readFileSync(join(folder, "run.lock"), "utf8")).token, "stale", "nothing was taken")
      // Deleting it, as the message says, lets the next process take the marker over and then the lock.
      rmSync(second)
      yield* takeRunLock(folder)
      assert.deepStrictEqual(files(), ["run.lock"])
    }))
})
