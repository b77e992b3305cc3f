// The addon's bulk Bernoulli sampler against the JavaScript draws it replaces: `RandomStream.fillUniform`
// then `+(p > u)`. Bit for bit (the RBM's chains, and so its weights, must not depend on which ran),
// with the stream left where the JavaScript draws leave it.
import { assert, describe, it } from "@effect/vitest"
import { RandomStream } from "@rectifier/core"
import { loadAddon } from "../src/Addon.ts"
import { addonBuilt } from "./support.ts"

const javascript = (stream: RandomStream, p: Float32Array): Float32Array => {
  const states = stream.fillUniform(new Float32Array(p.length), 0, 1)
  return states.map((u, i) => +(p[i]! > u))
}

describe.skipIf(!addonBuilt)("bernoulli (bulk binary states)", () => {
  it("gives the JavaScript states and stream state for many seeds, lengths and edge probabilities", () => {
    const addon = loadAddon()
    for (const [seed, name] of [[0, "sampling"], [1, "chains"], [0xffff_ffff, ""], [987654, "monitor"]] as const) {
      for (const length of [0, 1, 2, 7, 5000, 78_401]) {
        const reference = RandomStream.derive(seed, name)
        const draws = RandomStream.derive(seed, name).fillUniform(new Float32Array(length), 0, 1)
        const p = new Float32Array(length)
        for (let i = 0; i < length; i++) {
          // Every other probability is an edge: the draw itself (never on), its float32 successor (on),
          // 0, 1, NaN (never on), or a subnormal; the rest spread over [0, 1).
          const edges = [draws[i]!, Math.fround(draws[i]! * (1 + 2 ** -23)) + 2 ** -149, 0, 1, Number.NaN, 2 ** -140]
          p[i] = i % 2 === 0 ? edges[(i / 2) % edges.length]! : (i * 0.6180339887) % 1
        }
        const expected = javascript(reference, p)
        const stream = RandomStream.derive(seed, name)
        const out = new Float32Array(length).fill(7)
        stream.advanceWith((state) => addon.bernoulli(state, p, out))
        assert.deepStrictEqual(Array.from(out), Array.from(expected), `seed ${seed}, length ${length}`)
        assert.deepStrictEqual(stream.state(), reference.state(), `stream state, seed ${seed}, length ${length}`)
        assert.strictEqual(stream.uniform(), reference.uniform(), "the next draw")
        if (length > 1000) {
          const ones = out.reduce((sum, v) => sum + v, 0)
          assert.isTrue(ones > length / 4 && ones < (3 * length) / 4, `both states occur: ${ones} of ${length}`)
        }
      }
    }
  })
})
