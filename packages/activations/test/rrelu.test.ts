/**
 * RReLU's randomness: slopes come from the context's stream, so the same seed
 * reproduces them, a different one does not, and evaluation draws nothing.
 */
import { assert } from "@effect/vitest"
import { RandomStream } from "@rectifier/core"
import * as tf from "@tensorflow/tfjs-core"
import { Effect } from "effect"
import { resolveActivation } from "../src/index.ts"
import { onCpu } from "./Layer.ts"

const rrelu = resolveActivation({ name: "rrelu", lower: 0.1, upper: 0.4 })
const input = new Float32Array(64 * 8).map((_, i) => -1 - (i % 7))

const run = (noise: RandomStream, training: boolean): Float32Array =>
  tf.tidy(() => Float32Array.from(rrelu.apply(tf.tensor2d(input, [64, 8]), [], { training, noise }).dataSync()))

onCpu("rrelu randomness", (it) => {
  it.effect("is reproducible from the seed and differs across seeds", () =>
    Effect.sync(() => {
      const a = run(RandomStream.derive(42, "noise"), true)
      const b = run(RandomStream.derive(42, "noise"), true)
      const c = run(RandomStream.derive(43, "noise"), true)
      assert.deepStrictEqual(a, b)
      assert.notDeepEqual(a, c)
    }))

  it.effect("draws slopes in [lower, upper] with a different slope per element", () =>
    Effect.sync(() => {
      const out = run(RandomStream.derive(5, "noise"), true)
      const slopes = Array.from(out, (y, i) => y / input[i]!)
      for (const s of slopes) assert.isTrue(s >= 0.1 - 1e-6 && s <= 0.4 + 1e-6, `slope ${s}`)
      assert.isAbove(new Set(slopes.map((s) => s.toFixed(5))).size, slopes.length / 2)
      const mean = slopes.reduce((x, y) => x + y, 0) / slopes.length
      assert.approximately(mean, 0.25, 0.02)
    }))

  it.effect("advances the stream in training, and uses the mean slope without drawing at evaluation", () =>
    Effect.sync(() => {
      const noise = RandomStream.derive(9, "noise")
      const first = run(noise, true)
      const second = run(noise, true)
      assert.notDeepEqual(first, second)
      const untouched = noise.state()
      const evaluated = run(noise, false)
      assert.deepStrictEqual(noise.state(), untouched)
      evaluated.forEach((y, i) => assert.approximately(y, 0.25 * input[i]!, 1e-6))
    }))
})
