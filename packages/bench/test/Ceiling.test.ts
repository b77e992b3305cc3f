import { assert, describe, it } from "@effect/vitest"
import { addonBuilt, loadNativeBackend } from "@rectifier/backend-native"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { measureCeiling } from "../src/Ceiling.ts"
import { layerSizes, readFloats, writeWorkload } from "../src/Workload.ts"

describe.skipIf(!addonBuilt())("the sgemm ceiling", () => {
  it("times the step's products and measures each layer's input density as a plain forward pass does", async () => {
    const { blas } = await loadNativeBackend({ threads: 1 })
    const dir = mkdtempSync(join(tmpdir(), "bench-ceiling-"))
    try {
      const batch = 3
      writeWorkload(dir, 2, batch, 1)
      const result = measureCeiling(blas, dir, batch, 2)
      assert.isAbove(result.samplesPerSecond, 0)
      assert.isAbove(result.gflopsPerSecond, 0)
      assert.approximately(result.samplesPerSecond * result.secondsPerStep, batch, 1e-9)
      // The reference: the same forward pass in plain double-precision loops.
      let h: Array<number> = Array.from(readFloats(join(dir, `x-${batch}.f32`)))
      const expected: Array<number> = []
      for (let l = 0; l < layerSizes.length - 1; l++) {
        expected.push(h.filter((v) => v !== 0).length / h.length)
        if (l === layerSizes.length - 2) break
        const [fanIn, fanOut] = [layerSizes[l]!, layerSizes[l + 1]!]
        const w = readFloats(join(dir, `w${l}.f32`))
        const next = new Array<number>(batch * fanOut).fill(0)
        for (let r = 0; r < batch; r++) {
          for (let j = 0; j < fanOut; j++) {
            let s = 0
            for (let i = 0; i < fanIn; i++) s += h[r * fanIn + i]! * w[i * fanOut + j]!
            next[r * fanOut + j] = Math.max(0, s)
          }
        }
        h = next
      }
      assert.strictEqual(result.layerInputDensity.length, 4)
      // Uniform pixels are all nonzero; fresh rectifier layers keep about half their units.
      assert.strictEqual(result.layerInputDensity[0], expected[0])
      for (let l = 1; l < 4; l++) {
        assert.approximately(result.layerInputDensity[l]!, expected[l]!, 2 / (batch * layerSizes[l]!), `layer ${l}`)
        assert.isTrue(expected[l]! > 0.3 && expected[l]! < 0.7, `layer ${l}: ${expected[l]}`)
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
