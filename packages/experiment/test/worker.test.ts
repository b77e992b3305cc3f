import { NodeServices } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { findPreset, readRunRecord, resolveConfig, runInWorker, type WorkerEpoch, type WorkerJob } from "@rectifier/experiment"
import { Effect } from "effect"
import { existsSync, mkdtempSync, readdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** A one-epoch smoke job writing into a fresh folder. */
const smokeJob = (folder: string) =>
  Effect.gen(function*() {
    const smoke = yield* findPreset("smoke")
    const config = yield* resolveConfig(smoke, { training: { epochs: 2 }, dataset: { trainSize: 100, evaluationSize: 100 } })
    const job: WorkerJob = { pipeline: "smoke", description: "a worker test", references: [], config, folder }
    return job
  })

describe("runInWorker (one job in a worker process, the seam a remote runner reuses)", () => {
  it.live("runs the job in a worker: each epoch comes back typed, the record lands in the folder, the worker saw its pid admitted", () =>
    Effect.gen(function*() {
      const folder = mkdtempSync(join(tmpdir(), "rectifier-worker-run-"))
      const job = yield* smokeJob(folder)
      const epochs: Array<WorkerEpoch> = []
      let admitted: number | undefined
      const outcome = yield* runInWorker(job, {
        onEpoch: (epoch) => epochs.push(epoch),
        admit: (pid) => Effect.sync(() => (admitted = pid) > 0)
      })
      assert.strictEqual(outcome, "finished")
      assert.isAbove(admitted ?? 0, 0)
      assert.notStrictEqual(admitted, process.pid, "the run went to another process")
      assert.deepStrictEqual(epochs.map((e) => [e._tag, e.epoch, e.epochs]), [["Epoch", 1, 2], ["Epoch", 2, 2]])
      const record = yield* readRunRecord(folder)
      assert.strictEqual(record.description, "a worker test")
      assert.deepStrictEqual(record.epochs.map((e) => e.validationError), epochs.map((e) => e.validationError))
    }).pipe(Effect.provide(NodeServices.layer)))

  it.live("a declined job runs nothing; a failing one is a RunFailed carrying the worker's error", () =>
    Effect.gen(function*() {
      const folder = mkdtempSync(join(tmpdir(), "rectifier-worker-declined-"))
      const job = yield* smokeJob(folder)
      const declined = yield* runInWorker(job, { admit: () => Effect.succeed(false) })
      assert.strictEqual(declined, "declined")
      assert.deepStrictEqual(readdirSync(folder), [])
      // A file where the run folder should be: the worker cannot write it, and says why.
      const blocked = { ...job, folder: join(import.meta.filename, "run") }
      const error = yield* Effect.flip(runInWorker(blocked))
      assert.strictEqual(error._tag, "RunFailed")
      assert.include(error.message, blocked.folder)
      assert.match(error.detail, /ENOTDIR|not a directory/i)
      assert.isFalse(existsSync(join(folder, "results.json")))
    }).pipe(Effect.provide(NodeServices.layer)))
})
