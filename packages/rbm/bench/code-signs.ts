/**
 * Experiment: one sign-alternating rectifier auto-encoder layer pre-trained under `codeSigns`
 * "matched" (the decoder reads the signed code) and "magnitudes" (it reads max(0, z)), same seed and
 * data; per variant, the layer's units that never fire on 1000 MNIST test images and the fraction
 * of images each half fires on, even and odd (negated) units apart, and the last epoch's
 * reconstruction error. Native backend.
 *
 *   pnpm exec node packages/rbm/bench/code-signs.ts [train examples 5000] [epochs 3] [learning rate 0.01] [units 1000]
 */
import { TensorBackend } from "@rectifier/backend"
import { Rng } from "@rectifier/core"
import { loadMnist } from "@rectifier/datasets"
import { Effect, Layer, Logger } from "effect"
import { Pretrainer, sliceRows } from "../src/index.ts"

const [train = 5000, epochs = 3, learningRate = 0.01, hidden = 1000] = process.argv.slice(2).map(Number)

const variant = (codeSigns: "matched" | "magnitudes") =>
  Effect.gen(function*() {
    const mnist = yield* loadMnist({ trainSize: train })
    const result = yield* Pretrainer.use((p) =>
      p.pretrain(
        { kind: "dae", hiddenSizes: [hidden], epochs, activation: "rectifier-alternating", learningRate, codeSigns },
        { train: mnist.train, validation: sliceRows(mnist.validation, 0, 1000) }
      )
    )
    const layer = result.weights.layers[0]!
    const x = sliceRows(mnist.test, 0, 1000)
    const active = new Float64Array(layer.fanOut)
    for (let r = 0; r < x.count; r++) {
      for (let j = 0; j < layer.fanOut; j++) {
        let z = layer.bias[j]!
        for (let i = 0; i < layer.fanIn; i++) {
          const v = x.inputs[r * layer.fanIn + i]!
          if (v !== 0) z += v * layer.weights[i * layer.fanOut + j]!
        }
        active[j]! += z > 0 ? 1 / x.count : 0
      }
    }
    const half = (parity: number) => {
      const units = [...active].filter((_, j) => j % 2 === parity)
      return `${(units.reduce((a, b) => a + b, 0) / units.length).toFixed(3)} active, ${units.filter((a) => a === 0).length} dead`
    }
    const last = result.layers[0]!.kind === "dae" ? result.layers[0]!.curve.at(-1)!.reconstructionError : NaN
    console.log(`${codeSigns}: even ${half(0)}; odd ${half(1)}; reconstruction error ${last.toFixed(2)}`)
  }).pipe(
    Effect.provide(Pretrainer.layer.pipe(Layer.provide(Layer.mergeAll(TensorBackend.layer({ backend: "native" }), Rng.layer(1))))),
    Effect.provide(Logger.layer([])),
    Effect.scoped
  )

await Effect.runPromise(variant("matched"))
await Effect.runPromise(variant("magnitudes"))
