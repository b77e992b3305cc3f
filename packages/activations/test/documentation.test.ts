/** The README's family table is the one the metadata generates; samples for plots are consistent. */
import { readFileSync } from "node:fs"
import { assert, describe } from "@effect/vitest"
import * as tf from "@tensorflow/tfjs-core"
import { Effect } from "effect"
import { ActivationName, activation, sampleActivation } from "../src/index.ts"
import { familyTable, TABLE_END, TABLE_START, withTable } from "../src/Table.ts"
import { onCpu } from "./Layer.ts"
import { scalar } from "./Reference.ts"

describe("README", () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8")

  onCpu("family table", (it) => {
    it.effect("is current (regenerate: pnpm exec node packages/activations/src/WriteReadme.ts)", () =>
      Effect.sync(() => {
        assert.include(readme, TABLE_START)
        assert.include(readme, TABLE_END)
        assert.strictEqual(withTable(readme, familyTable()), readme)
      }))

    it.effect("lists every member", () =>
      Effect.sync(() => {
        for (const name of ActivationName.literals) assert.include(familyTable(), `| \`${name}\` |`)
      }))
  })
})

onCpu("sampleActivation", (it) => {
  it.effect("gives x, f(x) and f'(x) on the grid", () =>
    Effect.sync(() => {
      const s = sampleActivation(activation("softplus"), { from: -4, to: 4, points: 81 })
      assert.strictEqual(s.x.length, 81)
      assert.approximately(s.x[0]!, -4, 1e-6)
      assert.approximately(s.x[80]!, 4, 1e-6)
      s.x.forEach((x, i) => {
        assert.approximately(s.value[i]!, Math.log1p(Math.exp(x)), 1e-6)
        assert.approximately(s.derivative[i]!, 1 / (1 + Math.exp(-x)), 1e-6)
      })
    }))

  it.effect("shows gated units on the diagonal and Maxout as |x| for two pieces", () =>
    Effect.sync(() => {
      const before = tf.memory().numTensors
      const glu = sampleActivation(activation("glu"), { from: -3, to: 3, points: 7 })
      glu.x.forEach((x, i) => assert.approximately(glu.value[i]!, x * scalar("sigmoid", {})(x), 1e-6))
      const maxout = sampleActivation(activation("maxout"), { from: -3, to: 3, points: 7 })
      maxout.x.forEach((x, i) => assert.approximately(maxout.value[i]!, Math.abs(x), 1e-6))
      for (const name of ActivationName.literals) {
        const s = sampleActivation(activation(name))
        assert.isTrue(s.value.every(Number.isFinite) && s.derivative.every(Number.isFinite), name)
      }
      assert.strictEqual(tf.memory().numTensors, before)
    }))
})
