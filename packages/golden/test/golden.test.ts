import { NodeServices } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { addonBuilt } from "@rectifier/backend-native"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { comparable, compare, describeDifferences } from "@rectifier/report"
import { checkCase, differencesFrom, type GoldenFile, goldenCases, goldenLabels, runCase } from "../src/index.ts"

const root = resolve(import.meta.dirname, "../../..")
const goldenFile = (name: string) => JSON.parse(readFileSync(join(root, "golden", `${name}.json`), "utf8")) as GoldenFile

describe("golden run records", () => {
  for (const golden of goldenCases) {
    // The native case needs the OpenBLAS addon, which CI builds (scripts/setup.sh installs OpenBLAS).
    const available = golden.backend !== "native" || addonBuilt()
    ;(available ? it.live : it.live.skip)(`${golden.name} reproduces golden/${golden.name}.json`, () =>
      checkCase(root, golden).pipe(Effect.asVoid, Effect.provide(NodeServices.layer)))
  }

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
})
