/**
 * Faults a user can hit, reproduced through the CLI, each checked the way a
 * user would: the exit code, the message naming the file, flag or case, and
 * that no wrong number reaches a record (issue 16, "Never trust a wrong
 * result"). Runs are tiny (200 MNIST examples, wasm, 2 epochs).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawn, spawnSync } from "node:child_process"
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { processStartTime } from "../packages/experiment/src/RunLock.ts"
import { cli, comparableRecord, repositoryRoot, temporaryFolder } from "./helpers.ts"

const tiny = [
  "--epochs", "2", "--train-size", "200", "--eval-size", "100", "--hidden", "16", "--batch-size", "10",
  "--learning-rate", "0.05", "--momentum", "0.5", "--backend", "wasm", "--seed", "3"
]

/** A finished tiny run, and a copy of its folder without results.json/report.md: as if killed after its last checkpoint. */
const finishedAndUnfinished = () => {
  const out = temporaryFolder("provenance")
  const run = cli(["pipeline", "mnist-relu", ...tiny, "--out", out])
  assert.strictEqual(run.status, 0, run.stderr)
  const finished = run.lastLine
  const copy = (label: string) => {
    const folder = join(temporaryFolder(label), "run")
    cpSync(finished, folder, { recursive: true })
    rmSync(join(folder, "results.json"))
    rmSync(join(folder, "report.md"))
    return folder
  }
  return { finished, copy }
}

const checkpointFolder = (run: string) => join(run, "checkpoint", "lr-0.05", "epoch-0002")
const resume = (folder: string) => cli(["pipeline", "mnist-relu", "--resume", folder])

describe("checkpoints carry their provenance (CLI)", () => {
  const runs = finishedAndUnfinished()
  const expected = comparableRecord(runs.finished)

  it("an edited seed in config.json makes --resume fail naming the checkpoint, config.json and both hashes", () => {
    const folder = runs.copy("edited-seed")
    const configFile = join(folder, "config.json")
    const start = JSON.parse(readFileSync(configFile, "utf8"))
    start.config.seed = 4
    writeFileSync(configFile, JSON.stringify(start))
    const resumed = resume(folder)
    assert.strictEqual(resumed.status, 2, "a folder that cannot be used (apps/cli/src/ExitCode.ts)")
    const text = resumed.stdout + resumed.stderr
    assert.include(text, join(checkpointFolder(folder), "state.json"))
    assert.include(text, configFile)
    const hashes = text.match(/\b[0-9a-f]{64}\b/g) ?? []
    assert.strictEqual(new Set(hashes).size, 2, `both hashes named:\n${text}`)
    assert.isFalse(existsSync(join(folder, "results.json")), "no record with false provenance")
  })

  it("a same-length edit of weights.bin makes --resume fail naming the file", () => {
    const folder = runs.copy("edited-weights")
    const file = join(checkpointFolder(folder), "weights.bin")
    const bytes = readFileSync(file)
    bytes[100] = bytes[100]! ^ 0x40
    writeFileSync(file, bytes)
    assert.strictEqual(statSync(file).size, bytes.length)
    const resumed = resume(folder)
    assert.strictEqual(resumed.status, 2)
    assert.include(resumed.stdout + resumed.stderr, file)
    assert.match(resumed.stdout + resumed.stderr, /SHA-256 [0-9a-f]{64}/)
    assert.isFalse(existsSync(join(folder, "results.json")))
  })

  it("latest.json naming a folder outside the run fails naming latest.json", () => {
    for (const target of ["../../../elsewhere/epoch-0002", "epoch-0002/../../lr-0.05/epoch-0002", "/tmp/epoch-0002"]) {
      const folder = runs.copy("escape")
      const latest = join(folder, "checkpoint", "lr-0.05", "latest.json")
      writeFileSync(latest, JSON.stringify({ folder: target }))
      const resumed = resume(folder)
      assert.notStrictEqual(resumed.status, 0, target)
      assert.include(resumed.stdout + resumed.stderr, latest)
      assert.include(resumed.stdout + resumed.stderr, "not an epoch-NNNN folder")
      assert.isFalse(existsSync(join(folder, "results.json")))
    }
  })

  it("a checkpoint of format /1 (before provenance) still resumes, to the same record", () => {
    const folder = runs.copy("format-1")
    for (const lr of readdirSync(join(folder, "checkpoint"))) {
      const stateFile = join(checkpointFolder(folder).replace("lr-0.05", lr), "state.json")
      const state = JSON.parse(readFileSync(stateFile, "utf8"))
      assert.strictEqual(state.format, "rectifier-checkpoint/2")
      delete state.config
      delete state.files
      delete state.runSeconds
      writeFileSync(stateFile, JSON.stringify({ ...state, format: "rectifier-checkpoint/1" }))
    }
    const resumed = resume(folder)
    assert.strictEqual(resumed.status, 0, resumed.stderr)
    assert.deepStrictEqual(comparableRecord(folder), expected)
  })

  it("verify of a results.json that does not decode fails as a usage error naming the file", () => {
    const record = readFileSync(join(runs.finished, "results.json"), "utf8")
    const wrongType = JSON.stringify({ ...JSON.parse(record), result: { ...JSON.parse(record).result, testError: "0.02" } })
    for (const [label, text] of [["truncated", record.slice(0, 200)], ["wrong type", wrongType], ["empty", ""]] as const) {
      const folder = runs.copy(`verify-${label.replace(" ", "-")}`)
      const file = join(folder, "results.json")
      writeFileSync(file, text)
      const verified = cli(["verify", folder])
      assert.strictEqual(verified.status, 2, `${label}: a folder that cannot be used (apps/cli/src/ExitCode.ts)`)
      assert.include(verified.stderr, `${file} is not a readable run record`, label)
      assert.notInclude(verified.stdout, "identical", label)
    }
  })

  it("--resume facing markers left by processes killed mid-takeover fails naming the one to delete, and writes nothing", () => {
    const folder = join(temporaryFolder("stuck-lock"), "run")
    mkdirSync(folder)
    writeFileSync(join(folder, "config.json"), readFileSync(join(runs.finished, "config.json")))
    const dead = spawnSync("true").pid!
    const lockOf = (token: string) => JSON.stringify({ pid: dead, start: 1, token })
    writeFileSync(join(folder, "run.lock"), lockOf("stale"))
    writeFileSync(join(folder, "run.lock.takeover-stale"), lockOf("first"))
    const marker = join(folder, "run.lock.takeover-stale.takeover-first")
    writeFileSync(marker, lockOf("second"))
    const resumed = resume(folder)
    assert.strictEqual(resumed.status, 2, resumed.stderr)
    assert.include(resumed.stderr, `delete ${marker}`)
    assert.isFalse(existsSync(join(folder, "results.json")))
    assert.isFalse(existsSync(join(folder, "checkpoint")), "nothing ran")
  })

  it("resuming a finished run returns its record unchanged and says so", () => {
    const file = join(runs.finished, "results.json")
    const before = readFileSync(file, "utf8")
    const mtime = statSync(file).mtimeMs
    const resumed = resume(runs.finished)
    assert.strictEqual(resumed.status, 0, resumed.stderr)
    assert.include(resumed.stdout, "already finished")
    assert.strictEqual(resumed.lastLine, runs.finished)
    assert.strictEqual(readFileSync(file, "utf8"), before)
    assert.strictEqual(statSync(file).mtimeMs, mtime)
  })

  it("the wall time of a resumed run counts the time spent running, not the downtime", () => {
    const folder = runs.copy("downtime")
    const original = JSON.parse(readFileSync(join(runs.finished, "results.json"), "utf8"))
    const started = Date.parse(original.startedAt)
    // Downtime: the run "stopped" when it was copied; we wait so it is at least 3 s.
    const downtime = (Date.now() - started) / 1000 - original.wallSeconds
    if (downtime < 3) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, (3 - downtime) * 1000)
    const resumed = resume(folder)
    assert.strictEqual(resumed.status, 0, resumed.stderr)
    const record = JSON.parse(readFileSync(join(folder, "results.json"), "utf8"))
    const span = (Date.parse(record.finishedAt) - Date.parse(record.startedAt)) / 1000
    assert.isBelow(record.wallSeconds, span - 2.5, "the downtime is not counted")
    assert.isAtLeast(record.wallSeconds, original.wallSeconds * 0.5, "the first segment's time is counted")
    assert.deepStrictEqual(comparableRecord(folder), expected)
  })

  it("--resume takes the run lock: a live writer's lock refuses it, a reused pid's lock does not", () => {
    const folder = runs.copy("locked")
    const lock = join(folder, "run.lock")
    const sleeper = spawn("sleep", ["60"])
    try {
      writeFileSync(lock, JSON.stringify({ pid: sleeper.pid, start: processStartTime(sleeper.pid!), token: "other" }))
      const refused = resume(folder)
      assert.strictEqual(refused.status, 2)
      assert.include(refused.stdout + refused.stderr, `being written by process ${sleeper.pid}`)
      assert.isFalse(existsSync(join(folder, "results.json")))
    } finally {
      sleeper.kill()
    }
    writeFileSync(lock, JSON.stringify({ pid: 1, start: (processStartTime(1) ?? 0) + 999, token: "reused" }))
    const resumed = resume(folder)
    assert.strictEqual(resumed.status, 0, resumed.stderr)
    assert.isFalse(existsSync(lock), "the lock is released")
    assert.deepStrictEqual(comparableRecord(folder), expected)
  })
})

describe("--resume of a sweep's run folder", () => {
  it("keeps the cell's description and references, so the record is the uninterrupted one", () => {
    const out = temporaryFolder("sweep-resume")
    const sweep = cli(["pipeline", "smoke", "--seeds", "1", "--epochs", "2", "--train-size", "200", "--eval-size", "100", "--out", out])
    assert.strictEqual(sweep.status, 0, sweep.stderr)
    const name = readdirSync(sweep.lastLine).find((f) => f.startsWith("rectifier-"))!
    const finished = join(sweep.lastLine, name)
    const folder = join(temporaryFolder("sweep-resume-copy"), name)
    cpSync(finished, folder, { recursive: true })
    rmSync(join(folder, "results.json"))
    const resumed = cli(["pipeline", "smoke", "--resume", folder])
    assert.strictEqual(resumed.status, 0, resumed.stderr)
    const record = comparableRecord(folder)
    assert.include(String(record["description"]), "Cell: rectifier.")
    const expected = comparableRecord(finished)
    assert.deepStrictEqual(record, expected)

    // A results.json that does not decode is moved aside and the run computed again, to the same record.
    writeFileSync(join(finished, "results.json"), "{\"format\": \"rectifier-run/1\", \"trunc")
    const again = cli(["pipeline", "smoke", "--seeds", "1", "--epochs", "2", "--train-size", "200", "--eval-size", "100", "--out", out])
    assert.strictEqual(again.status, 0, again.stderr)
    assert.include(again.stdout, "(1 run now")
    assert.isTrue(readdirSync(finished).some((f) => f.startsWith("results.json.unreadable-")))
    assert.deepStrictEqual(comparableRecord(finished), expected)
  })
})

describe("golden check", () => {
  it("fails on an unknown case, naming it and the known ones, having checked nothing", () => {
    const run = cli(["golden", "check", "mnist-relu-cpuu"])
    assert.strictEqual(run.status, 2, "a usage error")
    const text = run.stdout + run.stderr
    assert.include(text, "\"mnist-relu-cpuu\"")
    assert.include(text, "mnist-relu-cpu,")
    assert.notInclude(text, "reproduced")
  })
})

/** Pids of the sweep workers writing under `out` (their argv holds the job, which names the folder). */
const workersOf = (out: string): Array<number> =>
  readdirSync("/proc").filter((name) => /^\d+$/.test(name)).flatMap((name) => {
    try {
      const argv = readFileSync(`/proc/${name}/cmdline`, "utf8")
      // A worker's argv holds its job; once it writes, its title names the folder ("rectifier worker: <folder>").
      return (argv.includes("Worker.ts") || argv.startsWith("rectifier worker: ")) && argv.includes(out) ? [Number(name)] : []
    } catch {
      return []
    }
  })

describe("sweep workers (CLI)", () => {
  it.live("a sweep killed while its worker starts leaves no orphan: the worker exits and writes no record", () =>
    Effect.promise(() =>
      new Promise<void>((resolve, reject) => {
        const out = temporaryFolder("orphan")
        const sweep = spawn(process.execPath, [
          // 500 epochs: minutes of work on any machine, so an exit within 20 s is "at once" even when imports take seconds under load.
          "apps/cli/src/bin.ts", "pipeline", "smoke", "--seeds", "1", "--epochs", "500", "--train-size", "200",
          "--eval-size", "100", "--parallel", "1", "--out", out
        ], { cwd: repositoryRoot, stdio: "ignore" })
        const deadline = Date.now() + 60_000
        const poll = setInterval(() => {
          const base = join(out, "smoke")
          const folders = existsSync(base) ? readdirSync(base).filter((f) => existsSync(join(base, f, "run.lock"))) : []
          // Kill once a run is locked and its worker process exists (it is still loading its imports).
          if (folders.length === 0 || workersOf(out).length === 0) {
            if (Date.now() > deadline) {
              clearInterval(poll)
              sweep.kill("SIGKILL")
              reject(new Error("no run was locked in time"))
            }
            return
          }
          clearInterval(poll)
          const run = join(base, folders[0]!)
          const workers = workersOf(out)
          let holder: number
          try {
            const text = readFileSync(join(run, "run.lock"), "utf8")
            holder = /^\d+$/.test(text.trim()) ? Number(text) : (JSON.parse(text) as { pid: number }).pid
          } catch (error) {
            sweep.kill("SIGKILL")
            return reject(error)
          }
          sweep.kill("SIGKILL") // the sweep only: its worker is left to notice
          const gone = Date.now()
          const wait = setInterval(() => {
            if (workersOf(out).length > 0 && Date.now() - gone < 30_000) return
            clearInterval(wait)
            try {
              assert.deepStrictEqual(workersOf(out), [], "the orphaned worker exited")
              assert.isBelow(Date.now() - gone, 20_000, "at once, not after finishing its run")
              assert.isFalse(existsSync(join(run, "results.json")), "the orphan wrote no record")
              assert.include(workers, holder, "the lock named the worker, which writes the folder")
              resolve()
            } catch (error) {
              reject(error)
            }
          }, 50)
        }, 5)
      })
    ))

  it("a worker started for a sweep that is already gone exits before loading anything", () => {
    const out = temporaryFolder("worker-parent")
    const job = JSON.stringify({ pipeline: "mnist-relu", description: "", references: [], config: {}, folder: out })
    const started = Date.now()
    const run = spawn(process.execPath, ["packages/experiment/src/Worker.ts", job, "1"], { cwd: repositoryRoot })
    return new Promise<void>((resolve) => {
      let stderr = ""
      run.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
      run.on("exit", (code) => {
        assert.strictEqual(code, 70)
        assert.include(stderr, "its sweep (process 1) is gone")
        assert.isBelow(Date.now() - started, 5000)
        assert.deepStrictEqual(readdirSync(out), [])
        resolve()
      })
    })
  })
})
