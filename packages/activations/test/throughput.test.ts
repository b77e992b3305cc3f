/** The throughput measurement runs every member and releases what it allocates. */
import { assert } from "@effect/vitest"
import * as tf from "@tensorflow/tfjs-core"
import { Effect } from "effect"
import { ActivationName, activation, measureThroughput } from "../src/index.ts"
import { onCpu } from "./Layer.ts"

onCpu("measureThroughput", (it) => {
  it.effect("gives a positive finite rate for every member without leaking tensors", () =>
    Effect.sync(() => {
      const before = tf.memory().numTensors
      for (const name of ActivationName.literals) {
        const rate = measureThroughput(activation(name), { rows: 4, units: 8, repeats: 1 })
        assert.isTrue(Number.isFinite(rate) && rate > 0, name)
      }
      assert.strictEqual(tf.memory().numTensors, before)
    }))
})
