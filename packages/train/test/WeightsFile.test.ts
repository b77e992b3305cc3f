import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { decodeWeights, encodeWeights, type ModelWeights } from "../src/index.ts"

describe("weights file bytes", () => {
  it.effect("every value is its little-endian float32, in manifest order, and decodes back bit for bit", () =>
    Effect.gen(function*() {
      const values = Float32Array.of(1, -0, 0.1, -2.5e-39, Infinity, NaN, 3.4e38, 1e-45)
      const weights: ModelWeights = {
        layers: [
          { fanIn: 2, fanOut: 3, weights: values.subarray(0, 6), bias: values.subarray(5, 8), activationParameters: {} },
          { fanIn: 3, fanOut: 1, weights: values.subarray(1, 4), bias: values.subarray(7, 8), activationParameters: { slope: values.subarray(2, 3) } }
        ]
      }
      const { manifest, data } = encodeWeights(weights)
      const expected = [...values.subarray(0, 6), ...values.subarray(5, 8), ...values.subarray(1, 4), ...values.subarray(7, 8), ...values.subarray(2, 3)]
      assert.strictEqual(data.byteLength, expected.length * 4)
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
      expected.forEach((value, i) => {
        const bits = new DataView(Float32Array.of(value).buffer).getUint32(0, true)
        assert.strictEqual(view.getUint32(i * 4, true), bits, `value ${i}`)
      })
      // 1.0 is 0x3f800000: its bytes on disk are 00 00 80 3f.
      assert.deepStrictEqual(Array.from(data.subarray(0, 4)), [0x00, 0x00, 0x80, 0x3f])
      const decoded = yield* decodeWeights(manifest, data, { manifest: "m.json", data: "m.bin" })
      const again = encodeWeights(decoded).data
      assert.deepStrictEqual(Array.from(again), Array.from(data))
    }))
})
