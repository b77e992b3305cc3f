import { assert, describe, it } from "@effect/vitest"
import { TensorBackend } from "@rectifier/backend"
import { RandomStream } from "@rectifier/core"
import { loadMnist } from "@rectifier/datasets"
import { Effect } from "effect"
import { encodeRows, initialDae, reconstructionFor, sliceRows, trainDae } from "../src/index.ts"

const onCpu = <A, E>(body: Effect.Effect<A, E, TensorBackend>) => Effect.scoped(Effect.provide(body, TensorBackend.layer({ backend: "cpu" })))

const streams = (seed: number) => ({
  order: RandomStream.derive(seed, "order"),
  noise: RandomStream.derive(seed, "noise"),
  activation: RandomStream.derive(seed, "activation")
})

describe("denoising auto-encoders", () => {
  it("pairs each activation with the paper's reconstruction", () => {
    assert.strictEqual(reconstructionFor("rectifier", "auto"), "softplus-quadratic")
    assert.strictEqual(reconstructionFor("rectifier-alternating", "auto"), "softplus-quadratic")
    assert.strictEqual(reconstructionFor("softplus", "auto"), "softplus-quadratic")
    assert.strictEqual(reconstructionFor("tanh", "auto"), "sigmoid-cross-entropy")
    assert.strictEqual(reconstructionFor("tanh", "softplus-quadratic"), "softplus-quadratic")
  })

  const cases = [
    { activation: "rectifier" as const, tiedWeights: false, learningRate: 0.03 },
    { activation: "tanh" as const, tiedWeights: true, learningRate: 0.03 }
  ]
  for (const { activation, learningRate, tiedWeights } of cases) {
    it.live(`${activation} (${tiedWeights ? "tied" : "untied"}): reconstruction error falls on MNIST`, () =>
      onCpu(Effect.gen(function*() {
        const mnist = yield* loadMnist({ trainSize: 200 })
        const output = reconstructionFor(activation, "auto")
        const initial = initialDae({ activation, output, inputRange: "unit", hidden: 16, tiedWeights }, 784, RandomStream.derive(3, "init"))
        assert.strictEqual(initial.decoderWeights === undefined, tiedWeights)
        const validation = sliceRows(mnist.validation, 0, 100)
        const { curve, dae } = yield* trainDae(
          initial,
          { epochs: 5, learningRate, batchSize: 10, maskingNoise: 0.25, l1Penalty: 0.001, monitorSize: 200 },
          mnist.train,
          validation,
          streams(3)
        )
        assert.strictEqual(curve.length, 5)
        const first = curve[0]!
        const last = curve[4]!
        assert.isBelow(last.reconstructionError, 0.8 * first.reconstructionError)
        assert.isBelow(last.validationReconstructionError!, first.validationReconstructionError!)
        assert.isBelow(last.cost, first.cost)
        // The encoder output has the layer's width and, for rectifiers, exact zeros.
        const codes = encodeRows(dae, validation, RandomStream.derive(3, "activation"))
        assert.strictEqual(codes.features, 16)
        assert.strictEqual(codes.inputs.length, 100 * 16)
        if (activation === "rectifier") assert.isAbove(last.sparsity, 0)
        else assert.strictEqual(last.sparsity, 0)
      })), 30_000)
  }
})
