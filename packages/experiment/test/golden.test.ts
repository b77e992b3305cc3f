import { NodeServices } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { addonBuilt } from "@rectifier/backend-native"
import { Effect } from "effect"
import { NUMERICS_VERSION } from "@rectifier/core"
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { comparable, compare, describeDifferences } from "@rectifier/record"
import { checkCase, differencesFrom, type GoldenFile, goldenCases, goldenLabels, runCase, updateCase } from "../src/index.ts"

const root = resolve(import.meta.dirname, "../../..")
const goldenFile = (name: string) => JSON.parse(readFileSync(join(root, "golden", `${name}.json`), "utf8")) as GoldenFile

describe("golden run records", () => {
  for (const golden of goldenCases) {
    // The native case needs the OpenBLAS addon, which CI builds (scripts/setup.sh installs OpenBLAS).
    const available = golden.backend !== "native" || addonBuilt()
    ;(available ? it.live : it.live.skip)(`${golden.name} reproduces golden/${golden.name}.json`, () =>
      checkCase(root, golden).pipe(Effect.asVoid, Effect.provide(NodeServices.layer)))
  }

  it.live("golden files recorded under another numerics version fail the check, naming both versions", () =>
    Effect.gen(function*() {
      const golden = goldenCases.find((c) => c.name === "mnist-relu-cpu")!
      assert.strictEqual(goldenFile(golden.name).numericsVersion, NUMERICS_VERSION)
      const other = mkdtempSync(join(tmpdir(), "rectifier-golden-version-"))
      mkdirSync(join(other, "golden"))
      const file = join(other, "golden", `${golden.name}.json`)
      writeFileSync(file, JSON.stringify({ ...goldenFile(golden.name), numericsVersion: NUMERICS_VERSION - 1 }))
      const error = yield* Effect.flip(checkCase(other, golden))
      assert.strictEqual(error._tag, "NumericsVersionStale")
      assert.include(error.message, `recorded under numerics version ${NUMERICS_VERSION - 1}`)
      assert.include(error.message, `the code is version ${NUMERICS_VERSION}`)
      // Numbers that move under an unchanged version are refused by update, and the file is kept as it was.
      const outcome = structuredClone(goldenFile(golden.name).outcome) as { epochs: Array<{ testError: number }> }
      outcome.epochs[0]!.testError += 0.01
      const moved = JSON.stringify({ ...goldenFile(golden.name), outcome })
      writeFileSync(file, moved)
      const refused = yield* Effect.flip(updateCase(other, golden))
      assert.strictEqual(refused._tag, "NumericsVersionStale")
      assert.include(refused.message, "the numbers moved but NUMERICS_VERSION is still")
      assert.include(refused.message, "testError at epoch 1")
      assert.strictEqual(readFileSync(file, "utf8"), moved)
    }).pipe(Effect.provide(NodeServices.layer)))

  it.live("a perturbed golden file is caught, with a diff naming the metric, the epoch and both values", () =>
    Effect.gen(function*() {
      const golden = goldenCases.find((c) => c.name === "mnist-relu-cpu")!
      const file = goldenFile(golden.name)
      const outcome = structuredClone(file.outcome) as { epochs: Array<{ testError: number }> }
      const original = outcome.epochs[1]!.testError
      outcome.epochs[1]!.testError = original + 0.01
      const runs = yield* runCase(golden)
      assert.deepStrictEqual(differencesFrom(golden, file, runs), [])
      const differences = differencesFrom(golden, { ...file, outcome: outcome as never }, runs)
      assert.strictEqual(differences.length, 1)
      const text = describeDifferences(differences, goldenLabels)
      assert.include(text, "testError at epoch 2")
      assert.include(text, `golden ${original + 0.01}`)
      assert.include(text, `now ${original}`)
      assert.deepStrictEqual(compare(comparable(runs[0]!.record), comparable(runs[0]!.record)), [])
    }).pipe(Effect.provide(NodeServices.layer)))

  it.live("a golden file that does not decode fails check and update, naming the file; update leaves it as it was", () =>
    Effect.gen(function*() {
      const golden = goldenCases.find((c) => c.name === "mnist-relu-cpu")!
      const other = mkdtempSync(join(tmpdir(), "rectifier-golden-unreadable-"))
      mkdirSync(join(other, "golden"))
      const file = join(other, "golden", `${golden.name}.json`)
      const { recordedOn: _recordedOn, ...broken } = goldenFile(golden.name)
      writeFileSync(file, JSON.stringify(broken))
      const checked = yield* Effect.flip(checkCase(other, golden))
      assert.strictEqual(checked._tag, "GoldenUnreadable")
      assert.include(checked.message, file)
      assert.include(checked.message, "recordedOn")
      writeFileSync(file, "{ truncated")
      const updated = yield* Effect.flip(updateCase(other, golden))
      assert.strictEqual(updated._tag, "GoldenUnreadable")
      assert.strictEqual(readFileSync(file, "utf8"), "{ truncated")
    }).pipe(Effect.provide(NodeServices.layer)))
})
