import { assert, describe, it } from "@effect/vitest"
import { comparable, compare, describeDifferences, RunRecordJson, runFailure } from "@rectifier/record"
import { Schema } from "effect"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"

const resultsRoot = join(import.meta.dirname, "../../../results")
const decode = Schema.decodeUnknownSync(RunRecordJson)
const encode = Schema.encodeSync(RunRecordJson)

/** Every results.json committed under results/. */
const committedRecords = (): ReadonlyArray<string> =>
  readdirSync(resultsRoot, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith("results.json"))
    .map((file) => join(resultsRoot, file))

describe("run record", () => {
  it("decodes every committed record and encodes it back to the same text", () => {
    const files = committedRecords()
    assert.isAbove(files.length, 0)
    for (const file of files) {
      const text = readFileSync(file, "utf8")
      assert.strictEqual(encode(decode(text)), text.trimEnd(), file)
    }
  })

  it("keeps NaN and infinities, which plain JSON would turn into null", () => {
    const record = decode(readFileSync(committedRecords()[0]!, "utf8"))
    const broken = {
      ...record,
      result: { ...record.result, validationError: Number.NaN, testError: Infinity },
      epochs: record.epochs.map((e, i) => (i === 0 ? { ...e, trainLoss: -Infinity } : e))
    }
    const text = encode(broken)
    assert.include(text, `"validationError":"NaN"`)
    assert.notInclude(text, "null")
    const back = decode(text)
    assert.isNaN(back.result.validationError)
    assert.strictEqual(back.result.testError, Infinity)
    assert.strictEqual(back.epochs[0]!.trainLoss, -Infinity)
    assert.deepStrictEqual(back.epochs.slice(1), record.epochs.slice(1))
  })

  it("reads candidates written before their stop, verdict and curve were kept, and reads the numbers of newer records whose extra fields it does not know", () => {
    const record = JSON.parse(readFileSync(committedRecords()[0]!, "utf8"))
    const candidate = record.result.learningRateCandidates[0]
    const { curve: _c, stop: _s, verdict: _v, ...older } = candidate
    record.result.learningRateCandidates = [older]
    assert.strictEqual(decode(JSON.stringify(record)).result.learningRateCandidates?.[0]?.learningRate, candidate.learningRate)
    record.result.addedLater = 0.01
    assert.notProperty(decode(JSON.stringify(record)).result, "addedLater")
  })

  it("says why a diverged run must not be trusted, and compares outcomes without timings", () => {
    const record = decode(readFileSync(committedRecords()[0]!, "utf8"))
    assert.isUndefined(runFailure(record))
    const diverged = {
      ...record,
      result: { ...record.result, diverged: { epoch: 3, step: 7, quantity: "cost" as const, value: "NaN", learningRate: 0.1 } }
    }
    assert.strictEqual(runFailure(diverged), "diverged at epoch 3, step 7: cost became NaN")
    const slower = { ...record, wallSeconds: record.wallSeconds + 100, epochs: record.epochs.map((e) => ({ ...e, seconds: e.seconds * 2 })) }
    assert.deepStrictEqual(compare(comparable(record), comparable(slower)), [])
    const moved = { ...record, epochs: record.epochs.map((e, i) => (i === 1 ? { ...e, testError: e.testError + 1e-4 } : e)) }
    const differences = compare(comparable(record), comparable(moved))
    assert.lengthOf(differences, 1)
    assert.include(describeDifferences(differences, { expected: "recorded", actual: "rerun" }), "testError at epoch 2 (epochs[1].testError)")
    assert.deepStrictEqual(compare(comparable(record), comparable(moved), { relative: 0, absolute: 1e-3 }), [])
  })
})
