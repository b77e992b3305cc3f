/**
 * The numerical check shared by the gradient and stability tests: run a spec
 * through tfjs on a batch built around given points and compare outputs and
 * gradients (input and learnable parameters) with the float64 reference and
 * its central differences.
 */
import { RandomStream } from "@rectifier/core"
import { type ActivationSpec, resolveActivation, specName } from "../src/index.ts"
import { runLayer } from "./Layer.ts"
import { centralDifference, type LayerExtras, referenceLayer } from "./Reference.ts"

export interface Tolerance {
  readonly absolute: number
  readonly relative: number
}

export interface CheckResult {
  /** Human-readable descriptions of every comparison outside tolerance. */
  readonly failures: ReadonlyArray<string>
  /** Every output and gradient the layer produced was finite. */
  readonly finite: boolean
  /** Largest error / (absolute + relative · |reference|) over outputs and over gradients: ≤ 1 passes. */
  readonly worst: { readonly value: number; readonly gradient: number }
}

const UNITS = 2

/** Row-major pre-activations [points, UNITS · factor] exercising each point in every unit. */
const buildInput = (
  points: ReadonlyArray<number>,
  factor: number,
  maxout: boolean,
  stream: RandomStream
): Float32Array => {
  const columns = UNITS * factor
  const input = new Float32Array(points.length * columns)
  points.forEach((p, i) => {
    const row = input.subarray(i * columns, (i + 1) * columns)
    if (!maxout && factor === 1) row.set([p, -p])
    else if (!maxout) row.set([1.3, -0.7, p, -p])
    else {
      // Maxout: each unit's pieces scattered around ±p so the winning piece varies and ties do not occur.
      for (let j = 0; j < UNITS; j++) {
        for (let k = 0; k < factor; k++) {
          row[j * factor + k] = (j === 0 ? p : -p) + 2 * Math.max(1, Math.abs(p) / 100) * stream.normal()
        }
      }
    }
  })
  return input
}

/** Distinct learnable values, so per-unit parameters are told apart. */
const parameterValuesFor = (spec: ActivationSpec): ReadonlyArray<Float32Array> | undefined => {
  if (specName(spec) !== "prelu") return undefined
  const shared = typeof spec === "object" && (spec as { shared?: boolean }).shared === true
  return [shared ? Float32Array.of(0.17) : Float32Array.of(0.3, -0.05)]
}

export const checkSpec = (
  spec: ActivationSpec,
  points: ReadonlyArray<number>,
  options: { readonly training: boolean; readonly value: Tolerance; readonly gradient: Tolerance }
): CheckResult => {
  const activation = resolveActivation(spec)
  const name = specName(spec)
  const stream = RandomStream.derive(7, `check ${JSON.stringify(spec)}`)
  const rows = points.length
  const columns = UNITS * activation.fanInFactor
  const input = buildInput(points, activation.fanInFactor, name === "maxout", stream)
  const weights = stream.fillUniform(new Float32Array(rows * UNITS), 0.5, 1.5).map((w, i) => (i % 3 === 1 ? -w : w))
  const noiseState = RandomStream.derive(11, "rrelu noise").state()
  const parameterValues = parameterValuesFor(spec)
  const run = runLayer(activation, input, rows, UNITS, weights, {
    training: options.training,
    noiseState,
    ...(parameterValues === undefined ? {} : { parameterValues })
  })

  const extras = (slopes: ReadonlyArray<number> | undefined): LayerExtras => ({
    ...(slopes === undefined ? {} : { slopes }),
    ...(name === "rrelu" && options.training
      ? {
        elementSlopes: Array.from(RandomStream.fromState(noiseState).fillUniform(
          new Float32Array(rows * UNITS),
          activation.settings["lower"] as number,
          activation.settings["upper"] as number
        ))
      }
      : {})
  })
  const slopes = parameterValues?.[0] === undefined ? undefined : Array.from(parameterValues[0])
  const failures: Array<string> = []
  const worst = { value: 0, gradient: 0 }
  const compare = (kind: "value" | "gradient", what: string, got: number, expected: number, tolerance: Tolerance) => {
    const ratio = Math.abs(got - expected) / (tolerance.absolute + tolerance.relative * Math.abs(expected))
    if (!(ratio <= 1)) failures.push(`${what}: got ${got}, expected ${expected}`)
    worst[kind] = Math.max(worst[kind], Number.isNaN(ratio) ? Infinity : ratio)
  }

  for (let i = 0; i < rows; i++) {
    const row = Array.from(input.subarray(i * columns, (i + 1) * columns))
    const layer = referenceLayer(name, activation.settings, UNITS, extras(slopes))
    const expected = layer(row, i)
    const weightRow = Array.from(weights.subarray(i * UNITS, (i + 1) * UNITS))
    for (let j = 0; j < UNITS; j++) {
      compare("value", `f at row ${i} (point ${points[i]}) unit ${j}`, run.output[i * UNITS + j]!, expected[j]!, options.value)
    }
    for (let c = 0; c < columns; c++) {
      // Σ_j w_j ∂y_j/∂z_c, one difference per output so a large output does not drown a small one in roundoff.
      const derivative = weightRow.reduce(
        (sum, w, j) => sum + w * centralDifference((x) => layer(row.map((v, m) => (m === c ? x : v)), i)[j]!, row[c]!),
        0
      )
      compare("gradient", `df/dz at row ${i} (point ${points[i]}) column ${c}`, run.gradient[i * columns + c]!, derivative, options.gradient)
    }
  }
  if (slopes !== undefined) {
    slopes.forEach((slope, s) => {
      const total = Array.from({ length: rows }, (_, i) => {
        const row = Array.from(input.subarray(i * columns, (i + 1) * columns))
        const weightRow = Array.from(weights.subarray(i * UNITS, (i + 1) * UNITS))
        return centralDifference(
          (a) =>
            referenceLayer(name, activation.settings, UNITS, { slopes: slopes.map((v, m) => (m === s ? a : v)) })(row, i)
              .reduce((sum, y, j) => sum + weightRow[j]! * y, 0),
          slope
        )
      }).reduce((a, b) => a + b, 0)
      compare("gradient", `d/dslope[${s}]`, run.parameterGradients[0]![s]!, total, {
        absolute: options.gradient.absolute * rows,
        relative: options.gradient.relative
      })
    })
  }
  const finite = [run.output, run.gradient, ...run.parameterGradients].every((a) => a.every(Number.isFinite))
  return { failures, finite, worst }
}
