import { NodeServices } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { findPreset, resolveConfig, runPipeline } from "@rectifier/experiment"
import { Effect } from "effect"
import { comparableRecord as comparable, temporaryFolder } from "./helpers.ts"

const runWithSeed = (seed: number, out: string) =>
  Effect.gen(function*() {
    const preset = yield* findPreset("mnist-relu")
    const config = yield* resolveConfig(preset, {
      dataset: { trainSize: 400, evaluationSize: 200 },
      training: { hiddenLayers: [32, 32], epochs: 2 },
      backend: "wasm",
      seed
    })
    return (yield* runPipeline(preset, config, { out })).folder
  })

describe("determinism", () => {
  it.live("the same config and seed give identical results.json apart from timestamps and timings", () =>
    Effect.gen(function*() {
      const out = temporaryFolder("determinism")
      const first = yield* runWithSeed(5, out)
      const second = yield* runWithSeed(5, out)
      const other = yield* runWithSeed(6, out)
      assert.notStrictEqual(first, second)
      assert.deepStrictEqual(comparable(first), comparable(second))
      assert.notDeepEqual(comparable(first).epochs, comparable(other).epochs)
    }).pipe(Effect.provide(NodeServices.layer)))
})
