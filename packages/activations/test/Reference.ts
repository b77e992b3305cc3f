/**
 * Reference implementations of the family in plain float64 JavaScript,
 * written from the formulas independently of the tfjs code, and a central
 * finite-difference derivative over them. Tests compare tfjs (float32)
 * against these.
 */
import type { ActivationName, Settings } from "../src/index.ts"

const SELU_ALPHA = 1.6732632423543772
const SELU_SCALE = 1.0507009873554805

/** erfc for x ≥ 3 by its continued fraction, evaluated bottom-up. */
const erfcLarge = (x: number): number => {
  let t = x
  for (let n = 80; n >= 1; n--) t = x + n / 2 / t
  return Math.exp(-x * x) / (Math.sqrt(Math.PI) * t)
}

/** erf in double precision: Taylor series below 3, the continued fraction above. */
export const erf = (x: number): number => {
  const a = Math.abs(x)
  if (a >= 3) return Math.sign(x) * (1 - erfcLarge(a))
  let term = x
  let sum = x
  for (let n = 1; n < 200; n++) {
    term *= -(x * x) / n
    const next = term / (2 * n + 1)
    sum += next
    if (Math.abs(next) < 1e-18 * Math.abs(sum)) break
  }
  return (2 / Math.sqrt(Math.PI)) * sum
}

/** Φ(x), accurate in the lower tail. */
export const normalCdf = (x: number): number => {
  const y = x / Math.SQRT2
  return y < -3 ? 0.5 * erfcLarge(-y) : 0.5 * (1 + erf(y))
}

export const sigmoid = (x: number): number => x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))
export const softplus = (x: number): number => x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))

const num = (settings: Settings, key: string): number => settings[key] as number

/** The scalar function of an element-wise member (or the gate function of a gated one). */
export const scalar = (name: ActivationName, settings: Settings): ((x: number) => number) => {
  switch (name) {
    case "sigmoid":
    case "glu":
      return sigmoid
    case "tanh":
      return Math.tanh
    case "hard-tanh":
      return (x) => Math.max(-1, Math.min(1, x))
    case "softplus":
      return softplus
    case "softplus-rescaled": {
      const a = num(settings, "a")
      return (x) => softplus(a * x) / a
    }
    case "rectifier":
    case "rectifier-alternating":
    case "reglu":
      return (x) => Math.max(0, x)
    case "abs-tanh":
      return (x) => Math.abs(Math.tanh(x))
    case "rectified-tanh":
      return (x) => Math.max(0, Math.tanh(x))
    case "leaky-rectifier": {
      const slope = num(settings, "slope")
      return (x) => x > 0 ? x : slope * x
    }
    case "elu": {
      const alpha = num(settings, "alpha")
      return (x) => x > 0 ? x : alpha * Math.expm1(x)
    }
    case "selu":
      return (x) => SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x))
    case "gelu":
    case "geglu":
      return (x) => x * normalCdf(x)
    case "gelu-tanh":
      return (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)))
    case "swish": {
      const beta = num(settings, "beta")
      return (x) => x * sigmoid(beta * x)
    }
    case "swiglu":
      return (x) => x * sigmoid(x)
    case "mish":
      return (x) => x * Math.tanh(softplus(x))
    case "prelu":
    case "rrelu":
    case "maxout":
      throw new Error(`${name} is not a fixed scalar function`)
  }
}

export interface LayerExtras {
  /** PReLU slopes ([1] or [units]). */
  readonly slopes?: ReadonlyArray<number>
  /** RReLU per-element slopes, row-major [rows, units]. */
  readonly elementSlopes?: ReadonlyArray<number>
}

/** A whole layer's reference: one row of pre-activations to its outputs. */
export const referenceLayer = (
  name: ActivationName,
  settings: Settings,
  units: number,
  extras: LayerExtras = {}
): ((row: ReadonlyArray<number>, rowIndex: number) => Array<number>) => {
  const out = (f: (j: number) => number) => Array.from({ length: units }, (_, j) => f(j))
  switch (name) {
    case "maxout": {
      const k = num(settings, "pieces")
      return (row) => out((j) => Math.max(...row.slice(j * k, j * k + k)))
    }
    case "glu":
    case "reglu":
    case "geglu":
    case "swiglu": {
      const gate = scalar(name, settings)
      return (row) => out((j) => row[j]! * gate(row[units + j]!))
    }
    case "prelu": {
      const slopes = extras.slopes!
      return (row) => out((j) => row[j]! > 0 ? row[j]! : slopes[slopes.length === 1 ? 0 : j]! * row[j]!)
    }
    case "rrelu": {
      const slopes = extras.elementSlopes
      const mean = (num(settings, "lower") + num(settings, "upper")) / 2
      return (row, i) => out((j) => row[j]! > 0 ? row[j]! : (slopes === undefined ? mean : slopes[i * units + j]!) * row[j]!)
    }
    case "rectifier-alternating":
      return (row) => out((j) => (j % 2 === 0 ? 1 : -1) * Math.max(0, row[j]!))
    default: {
      const f = scalar(name, settings)
      return (row) => out((j) => f(row[j]!))
    }
  }
}

/** Central difference of f at x in float64, step scaled to |x|. */
export const centralDifference = (f: (x: number) => number, x: number): number => {
  const h = 1e-6 * Math.max(1, Math.abs(x))
  return (f(x + h) - f(x - h)) / (2 * h)
}
