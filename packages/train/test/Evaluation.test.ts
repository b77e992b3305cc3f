import { assert, describe, it } from "@effect/vitest"
import { family } from "@rectifier/activations"
import { TensorBackend } from "@rectifier/backend"
import { RandomStream } from "@rectifier/core"
import { loadMnist } from "@rectifier/datasets"
import * as tf from "@tensorflow/tfjs-core"
import { Effect } from "effect"
import { classificationError, evaluate, layerStatistics, Mlp } from "../src/index.ts"

const mnist = await Effect.runPromise(loadMnist({ trainSize: 1000, evaluationSize: 300 }))

describe("evaluation", () => {
  it.live("classificationError is evaluate's error without the zero counts, chunked or not, and leaks no tensor", () =>
    Effect.gen(function*() {
      const model = Mlp.initialize(
        { inputs: 784, hiddenLayers: [40, 30], classes: 10 },
        family["rectifier-alternating"],
        "glorot-uniform",
        RandomStream.derive(3, "init")
      )
      const noise = RandomStream.derive(3, "noise")
      const set = mnist.validation
      const before = tf.memory().numTensors
      const full = evaluate(model, set, 1000, noise)
      for (const chunk of [1000, 128, 7]) assert.strictEqual(classificationError(model, set, chunk, noise), full.error)
      // A fresh net misclassifies most of the set; the count is of whole examples.
      assert.isAbove(full.error, 0.5)
      assert.strictEqual(Math.round(full.error * set.count), full.error * set.count)
      assert.strictEqual(full.zeroFraction.length, 2)
      // The per-layer statistics (typed arrays kept from inside tidy) agree with evaluate's zeros on the same rows.
      const stats = layerStatistics(model, set, set.count, 64, noise)
      stats.forEach((layer, l) => assert.approximately(layer.sparsity, full.zeroFraction[l]!, 1e-12))
      assert.strictEqual(tf.memory().numTensors, before)
      assert.strictEqual(classificationError(model, { ...set, count: 0, inputs: new Float32Array(0), labels: new Uint8Array(0) }, 10, noise), 0)
      model.dispose()
    }).pipe(Effect.scoped, Effect.provide(TensorBackend.layer({ backend: "cpu" }))))
})
