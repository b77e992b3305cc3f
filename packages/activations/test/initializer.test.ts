/** The initialisers: the spread each one promises, the fans it reads, and determinism. */
import { assert, describe, it } from "@effect/vitest"
import { RandomStream } from "@rectifier/core"
import { initializeWeights, InitializerName, SMALL_UNIFORM_LIMIT } from "../src/index.ts"

const moments = (values: Float32Array) => {
  let sum = 0
  let squares = 0
  let largest = 0
  for (const v of values) {
    sum += v
    squares += v * v
    largest = Math.max(largest, Math.abs(v))
  }
  const mean = sum / values.length
  return { mean, std: Math.sqrt(squares / values.length - mean * mean), largest }
}

const draw = (name: InitializerName, fanIn: number, fanOut: number, seed = 1) =>
  initializeWeights(name, fanIn, fanOut, RandomStream.derive(seed, "weights"))

describe("initializeWeights", () => {
  it("returns a [fanIn, fanOut] matrix, the same for the same seed", () => {
    for (const name of InitializerName.literals) {
      const a = draw(name, 300, 200)
      assert.strictEqual(a.length, 300 * 200)
      assert.deepStrictEqual(a, draw(name, 300, 200))
      assert.notDeepEqual(a, draw(name, 300, 200, 2))
    }
  })

  it("glorot-uniform: U(-r, r), r = sqrt(6 / (fanIn + fanOut)), fanOut being the real pre-activation count", () => {
    // A Maxout layer of 100 units with 3 pieces has 300 pre-activations.
    const r = Math.sqrt(6 / (400 + 300))
    const m = moments(draw("glorot-uniform", 400, 300))
    assert.isBelow(m.largest, r)
    assert.isAbove(m.largest, 0.999 * r)
    assert.approximately(m.std, r / Math.sqrt(3), 0.01 * r)
    assert.approximately(m.mean, 0, 0.01 * r)
  })

  it("he-normal: N(0, 2 / fanIn), whatever fanOut", () => {
    for (const fanOut of [100, 400]) {
      const m = moments(draw("he-normal", 500, fanOut))
      assert.approximately(m.std, Math.sqrt(2 / 500), 0.02 * Math.sqrt(2 / 500))
      assert.approximately(m.mean, 0, 0.02 * Math.sqrt(2 / 500))
    }
  })

  it("lecun-normal: N(0, 1 / fanIn)", () => {
    const m = moments(draw("lecun-normal", 250, 300))
    assert.approximately(m.std, Math.sqrt(1 / 250), 0.02 * Math.sqrt(1 / 250))
    assert.approximately(m.mean, 0, 0.02 * Math.sqrt(1 / 250))
  })

  it("standard-uniform: U(-r, r), r = 1 / sqrt(fanIn), whatever fanOut", () => {
    const r = 1 / Math.sqrt(784)
    for (const fanOut of [10, 1000]) {
      const m = moments(draw("standard-uniform", 784, fanOut))
      assert.isBelow(m.largest, r)
      assert.isAbove(m.largest, 0.99 * r)
      assert.approximately(m.std, r / Math.sqrt(3), 0.02 * r)
      assert.approximately(m.mean, 0, 0.02 * r)
    }
  })

  it("small-uniform: U(-0.01, 0.01) for any fans", () => {
    const m = moments(draw("small-uniform", 784, 1000))
    assert.isBelow(m.largest, SMALL_UNIFORM_LIMIT)
    assert.isAbove(m.largest, 0.999 * SMALL_UNIFORM_LIMIT)
    assert.approximately(m.std, SMALL_UNIFORM_LIMIT / Math.sqrt(3), 2e-4)
  })
})
