/**
 * Every member's forward pass against the float64 reference and its tfjs
 * gradient against central finite differences of that reference, at points
 * near 0, at moderate and at large |x|, and stability far out (±80 … ±1e6).
 */
import { assert } from "@effect/vitest"
import { Effect } from "effect"
import { checkSpec, type Tolerance } from "./Check.ts"
import { describeSpec, onCpu, specsUnderTest } from "./Layer.ts"

/** Kinks sit at 0 and ±1; every point is at least 1e-3 away, well beyond the difference step. */
const moderate = [
  -80, -40, -20, -10, -6, -4, -3, -2.2, -1.5, -1.2, -0.9, -0.6, -0.35, -0.2, -0.1, -0.03, -0.01, -0.003, -0.001,
  0.001, 0.003, 0.01, 0.03, 0.1, 0.2, 0.35, 0.6, 0.9, 1.2, 1.5, 2.2, 3, 4, 6, 10, 20, 40, 80
]
const far = [-1e6, -1e4, -1000, -200, -80, 80, 200, 1000, 1e4, 1e6]

/**
 * float32 forward: a few ulps, plus tf.erf's 1.5e-7 approximation error (times |x|)
 * for GELU. Measured worst on the cpu backend: 0.21 of this (GeGLU), others below 0.01.
 */
const value: Tolerance = { absolute: 1e-6, relative: 4e-6 }
/** float32 backward against a float64 central difference. Measured worst: 0.14 of this. */
const gradient: Tolerance = { absolute: 2e-6, relative: 2e-5 }

onCpu("derivatives against central finite differences", (it) => {
  for (const spec of specsUnderTest) {
    it.effect(describeSpec(spec), () =>
      Effect.sync(() => {
        for (const training of [false, true]) {
          const result = checkSpec(spec, moderate, { training, value, gradient })
          assert.isTrue(result.finite, `${describeSpec(spec)}: non-finite output or gradient`)
          assert.isEmpty(result.failures, `${describeSpec(spec)} (training ${training}):\n${result.failures.slice(0, 5).join("\n")}`)
        }
      }))
  }
})

onCpu("stability at large |x|", (it) => {
  for (const spec of specsUnderTest) {
    it.effect(describeSpec(spec), () =>
      Effect.sync(() => {
        const result = checkSpec(spec, far, { training: true, value, gradient })
        assert.isTrue(result.finite, `${describeSpec(spec)}: NaN or Inf at large |x|`)
        assert.isEmpty(result.failures, `${describeSpec(spec)}:\n${result.failures.slice(0, 5).join("\n")}`)
      }))
  }
})
