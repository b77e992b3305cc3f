/**
 * Pre-training asks the tensor backend what it can do: on native the RBM's
 * weight step is OpenBLAS on the arrays with no transposed copy of the
 * weights, and the auto-encoder's update runs in place; on cpu the weight step
 * is a matMul and a JavaScript pass, the update the functional one. Either way
 * the same stack comes out, to float32 rounding.
 */
import { assert, describe, it } from "@effect/vitest"
import { type BackendName, TensorBackend } from "@rectifier/backend"
import { addonBuilt } from "@rectifier/backend-native"
import { Rng } from "@rectifier/core"
import { loadMnist } from "@rectifier/datasets"
import { Effect, Layer } from "effect"
import { Pretrainer, type PretrainConfigInput, sliceRows } from "../src/index.ts"

const configs: ReadonlyArray<PretrainConfigInput> = [
  { kind: "rbm", hiddenSizes: [24, 12], epochs: 2, batchSize: 20, monitorSize: 100, sparsity: { target: 0.1, cost: 0.01, decay: 0.9 } },
  { kind: "dae", hiddenSizes: [16, 8], epochs: 2, activation: "rectifier", tiedWeights: true },
  { kind: "dae", hiddenSizes: [16], epochs: 2, activation: "tanh", tiedWeights: false }
]

const pretrainOn = (backend: BackendName, config: PretrainConfigInput) =>
  Effect.gen(function*() {
    const mnist = yield* loadMnist({ trainSize: 200 })
    const { capabilities } = yield* TensorBackend
    const result = yield* (yield* Pretrainer).pretrain(config, { train: mnist.train, validation: sliceRows(mnist.validation, 0, 100) })
    return { capabilities, result }
  }).pipe(
    Effect.provide(Pretrainer.layer.pipe(Layer.provideMerge(Layer.mergeAll(TensorBackend.layer({ backend, threads: 1 }), Rng.layer(7))))),
    Effect.scoped
  )

describe.skipIf(!addonBuilt())("pre-training on the native backend", () => {
  for (const config of configs) {
    it.live(`${config.kind} (${JSON.stringify(config.hiddenSizes)}): the stack matches the cpu backend's`, () =>
      Effect.gen(function*() {
        const cpu = yield* pretrainOn("cpu", config)
        const native = yield* pretrainOn("native", config)
        assert.isUndefined(cpu.capabilities.blas)
        assert.isFalse(cpu.capabilities.transposedOperandsInPlace)
        assert.isDefined(native.capabilities.blas)
        assert.isTrue(native.capabilities.sgd.inPlace)
        let most = 0
        native.result.weights.layers.forEach((layer, l) => {
          const reference = cpu.result.weights.layers[l]!
          assert.deepStrictEqual([layer.fanIn, layer.fanOut], [reference.fanIn, reference.fanOut])
          for (const [values, expected] of [[layer.weights, reference.weights], [layer.bias, reference.bias]] as const) {
            for (let i = 0; i < values.length; i++) most = Math.max(most, Math.abs(values[i]! - expected[i]!))
          }
        })
        assert.isBelow(most, 1e-5)
      }), 60_000)
  }
})
