import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { cli, comparableRecord, repositoryRoot, runFolders, temporaryFolder } from "./helpers.ts"

// Momentum, weight decay and RReLU's noise put every kind of saved state to work.
const small = [
  "--epochs", "3", "--train-size", "800", "--eval-size", "200", "--hidden", "32,32", "--batch-size", "10",
  "--learning-rate", "0.01", "--momentum", "0.9", "--weight-decay", "0.0001", "--backend", "wasm", "--seed", "9"
]

const onlyFolder = (out: string) => {
  const entries = runFolders(out, "mnist-relu")
  assert.strictEqual(entries.length, 1, `one run folder in ${out}`)
  return entries[0]!
}

const latestEpoch = (folder: string): number | undefined => {
  const latest = join(folder, "checkpoint", "lr-0.01", "latest.json")
  if (!existsSync(latest)) return undefined
  return Number(/epoch-(\d+)/.exec(readFileSync(latest, "utf8"))![1])
}

/** Starts the CLI, kills it with SIGKILL once the first checkpoint exists, and returns the checkpointed epoch. */
const killAfterFirstCheckpoint = (out: string) =>
  Effect.promise(() =>
    new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, ["apps/cli/src/bin.ts", "pipeline", "mnist-relu", ...small, "--out", out], {
        cwd: repositoryRoot,
        stdio: "ignore"
      })
      const poll = setInterval(() => {
        const folders = runFolders(out, "mnist-relu")
        const epoch = folders.length === 1 ? latestEpoch(folders[0]!) : undefined
        if (epoch !== undefined) {
          child.kill("SIGKILL")
          clearInterval(poll)
          resolve(epoch)
        }
      }, 20)
      child.on("exit", (code) => {
        clearInterval(poll)
        if (code !== null) reject(new Error(`the run ended by itself (exit ${code}) before it could be killed`))
      })
    })
  )

describe("resumable runs and divergence (CLI, end to end)", () => {
  it.live("a run killed with SIGKILL mid-run resumes and finishes bit-identical to an uninterrupted run", () =>
    Effect.gen(function*() {
      const killedOut = temporaryFolder("killed")
      const epoch = yield* killAfterFirstCheckpoint(killedOut)
      const folder = onlyFolder(killedOut)
      assert.isBelow(epoch, 3)
      assert.isFalse(existsSync(join(folder, "results.json")), "the killed run had not finished")
      const resumed = cli(["pipeline", "mnist-relu", "--resume", folder])
      assert.strictEqual(resumed.status, 0, resumed.stderr)
      assert.include(resumed.stdout, "resuming")
      assert.strictEqual(resumed.lastLine, folder)

      const cleanOut = temporaryFolder("uninterrupted")
      const clean = cli(["pipeline", "mnist-relu", ...small, "--out", cleanOut])
      assert.strictEqual(clean.status, 0, clean.stderr)
      const expected = comparableRecord(clean.lastLine)
      assert.deepStrictEqual(comparableRecord(folder), expected)
      assert.strictEqual(expected.epochs.length, 3)
      assert.isDefined(expected.epochs[2].diagnostics)
    }))

  it.live("divergence stops the run with a non-zero exit, naming epoch and step, and still writes record and report", () =>
    Effect.sync(() => {
      const out = temporaryFolder("diverged")
      const run = cli([
        "pipeline", "mnist-relu", "--epochs", "2", "--train-size", "300", "--eval-size", "100", "--hidden", "64,64",
        "--learning-rate", "1000000", "--backend", "wasm", "--out", out
      ])
      assert.notStrictEqual(run.status, 0)
      assert.match(run.stdout + run.stderr, /training diverged at epoch 1, step \d+/)
      const folder = onlyFolder(out)
      const record = JSON.parse(readFileSync(join(folder, "results.json"), "utf8"))
      assert.strictEqual(record.result.diverged.epoch, 1)
      assert.strictEqual(record.result.diverged.quantity, "cost")
      assert.strictEqual(record.result.bestEpoch, 0)
      assert.include(readFileSync(join(folder, "report.md"), "utf8"), "**Training diverged** at epoch 1")
    }))
})
