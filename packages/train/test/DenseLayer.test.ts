import { assert, describe, it } from "@effect/vitest"
import { family } from "@rectifier/activations"
import { type Capabilities, type FusedDenseLayer, TensorBackend } from "@rectifier/backend"
import { addonBuilt } from "@rectifier/backend-native"
import { RandomStream } from "@rectifier/core"
import * as tf from "@tensorflow/tfjs-core"
import { Context, Effect, Layer } from "effect"
import { Mlp, modelCost, Sgd } from "../src/index.ts"

// The flagship's depth (three hidden layers and the output layer), at a size that trains in milliseconds.
const shape = { inputs: 30, hiddenLayers: [24, 24, 24], classes: 5 }
const batch = 8
const steps = 5

/** The cost's L1 term and the optimiser's momentum and weight decay. */
interface Regime {
  readonly l1: number
  readonly momentum: number
  readonly weightDecay: number
}

/** As the bench trains: no L1 term, plain SGD. */
const bench: Regime = { l1: 0, momentum: 0, weightDecay: 0 }
/** L1 on (a hidden layer's gradient is then a sum of two), momentum and weight decay. */
const regularised: Regime = { l1: 0.001, momentum: 0.5, weightDecay: 1e-4 }

/** `steps` SGD steps of an MLP of `activation`, then one step under tfjs's profiler. */
const train = (capabilities: Capabilities, activation: keyof typeof family, fused: FusedDenseLayer | undefined, regime: Regime) =>
  Effect.gen(function*() {
    const stream = RandomStream.derive(7, "train/dense-layer")
    const model = Mlp.initialize(shape, family[activation], "glorot-uniform", stream, fused)
    const { l1, ...options } = regime
    const optimizer = new Sgd(model.variables(), model.weightVariables(), options, capabilities.sgd.update)
    const x = tf.tensor2d(stream.fillUniform(new Float32Array(batch * shape.inputs), 0, 1), [batch, shape.inputs])
    const targets = new Float32Array(batch * shape.classes)
    for (let r = 0; r < batch; r++) targets[r * shape.classes + (r % shape.classes)] = 1
    const y = tf.tensor2d(targets, [batch, shape.classes])
    const context = { training: true, noise: RandomStream.derive(8, "train/dense-layer-noise") }
    const step = () => optimizer.step(() => modelCost(model, x, y, l1, context), 0.05)
    const losses = Array.from({ length: steps }, step)
    const profile = yield* Effect.promise(() => tf.profile(() => void step()))
    const weights = model.snapshot().layers.flatMap((layer) => [layer.weights, layer.bias])
    optimizer.dispose()
    model.dispose()
    tf.dispose([x, y])
    const bookkeeping = profile.kernels.filter((k) => k.name === "Reshape" || k.name === "Identity").length
    return { losses, weights, kernels: profile.kernels.length, bookkeeping }
  })

const onNative = <A, E>(body: (capabilities: Capabilities) => Effect.Effect<A, E>) =>
  Effect.scoped(Effect.gen(function*() {
    const context = yield* Layer.build(TensorBackend.layer({ backend: "native" }))
    return yield* body(Context.get(context, TensorBackend).capabilities)
  }))

const identical = (a: ReadonlyArray<Float32Array>, b: ReadonlyArray<Float32Array>) =>
  a.length === b.length && a.every((w, i) => Buffer.from(w.buffer).equals(Buffer.from(b[i]!.buffer)))

describe.skipIf(!addonBuilt())("the trainer's dense layers on the native backend", () => {
  it.live("the fused layer trains bit for bit as tfjs's ops do, plain and sign-alternating, with L1, momentum and weight decay too", () =>
    onNative((capabilities) =>
      Effect.gen(function*() {
        assert.isDefined(capabilities.denseLayer)
        for (const activation of ["rectifier", "rectifier-alternating"] as const) {
          for (const regime of [bench, regularised]) {
            const fused = yield* train(capabilities, activation, capabilities.denseLayer, regime)
            const composite = yield* train(capabilities, activation, undefined, regime)
            assert.deepStrictEqual(fused.losses, composite.losses)
            assert.isTrue(identical(fused.weights, composite.weights), `${activation}: weights after the steps, l1 ${regime.l1}`)
            // Fused, the step has fewer kernels (the sign-alternating one adds its product by the signs).
            assert.isBelow(fused.kernels, composite.kernels - 40, activation)
          }
        }
      })
    ))

  it.live("a step dispatches about a third of the kernels: 104 with tfjs's fused product and the rectifier, 37 fused", () =>
    onNative((capabilities) =>
      Effect.gen(function*() {
        const fused = yield* train(capabilities, "rectifier", capabilities.denseLayer, bench)
        const composite = yield* train(capabilities, "rectifier", undefined, bench)
        // tfjs's ops: 104 kernels a step (the NLL already Model.ts's), 56 of them Reshape/Identity bookkeeping.
        assert.isAbove(composite.kernels, 100)
        assert.isAtLeast(composite.bookkeeping, 50)
        // Fused, each layer is its product, the op, a clone per tensor its gradient keeps and one gradient kernel;
        // the bookkeeping left is those clones (7) and the NLL's saved labels and log-probabilities (2).
        assert.isBelow(fused.kernels, 40)
        assert.isAtMost(fused.bookkeeping, 9)
      })
    ))

  it.live("an activation it does not fuse (tanh) keeps tfjs's ops for its hidden layers, the same numbers", () =>
    onNative((capabilities) =>
      Effect.gen(function*() {
        const given = yield* train(capabilities, "tanh", capabilities.denseLayer, regularised)
        const composite = yield* train(capabilities, "tanh", undefined, regularised)
        assert.isTrue(identical(given.weights, composite.weights))
        // Only the linear output layer is fused: its bookkeeping goes, the hidden layers' stays.
        assert.isBelow(given.kernels, composite.kernels)
        assert.isAbove(given.kernels, composite.kernels - 20)
      })
    ))
})
