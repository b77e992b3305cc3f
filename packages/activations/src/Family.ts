/**
 * The activation family: every member's name, metadata, configuration
 * parameters with their defaults, and how a layer uses it (width factor,
 * learnable parameters, forward pass). The parameters' defaults and ranges
 * come from their schemas (Parameters.ts). `activation(name)` gives a member
 * with its defaults; `resolveActivation` (Spec.ts) applies a configured spec.
 */
import * as tf from "@tensorflow/tfjs-core"
import { Schema } from "effect"
import type { Activation, ActivationContext, ActivationMeta, ActivationParameter } from "./Activation.ts"
import * as F from "./Functions.ts"
import type { Elementwise } from "./Gradient.ts"
import { defaultSettings, parameterMeta, type Settings } from "./Parameters.ts"

/** The closed list of the family's names, as a configuration spells them (e.g. "rectifier", "leaky-rectifier"). */
export const ActivationName = Schema.Literals([
  "sigmoid",
  "tanh",
  "hard-tanh",
  "softplus",
  "softplus-rescaled",
  "rectifier",
  "rectifier-alternating",
  "abs-tanh",
  "rectified-tanh",
  "leaky-rectifier",
  "prelu",
  "rrelu",
  "elu",
  "selu",
  "gelu",
  "gelu-tanh",
  "swish",
  "mish",
  "maxout",
  "glu",
  "reglu",
  "geglu",
  "swiglu"
])
/** One of the family's names. */
export type ActivationName = typeof ActivationName.Type

/** What a member contributes once its settings are known. */
interface Layering {
  readonly fanInFactor: number
  readonly parameters: (units: number) => ReadonlyArray<ActivationParameter>
  readonly apply: Activation["apply"]
}

interface Definition {
  readonly meta: ActivationMeta
  readonly build: (settings: Settings) => Layering
}

/** SELU's fixed constants (Klambauer et al. 2017), to the precision the paper gives. */
export const SELU_ALPHA = 1.6732632423543772
/** SELU's output scale λ (Klambauer et al. 2017), to the paper's precision. */
export const SELU_SCALE = 1.0507009873554805

const number = (settings: Settings, key: string): number => {
  const value = settings[key]
  if (typeof value !== "number") throw new Error(`activation setting "${key}" is missing or not a number`)
  return value
}

const elementwise = (fn: Elementwise): Layering => ({
  fanInFactor: 1,
  parameters: () => [],
  apply: (z) => fn(z) as tf.Tensor2D
})

/**
 * Gated units: the first half of the pre-activations are the values, the
 * second half the gates; output_j = value_j · gate(gateInput_j).
 */
const gated = (gate: Elementwise): Layering => ({
  fanInFactor: 2,
  parameters: () => [],
  apply: (z) => {
    const [value, gateInput] = tf.split(z, 2, 1) as [tf.Tensor2D, tf.Tensor2D]
    return tf.mul(value, gate(gateInput)) as tf.Tensor2D
  }
})

/** +1 on even units, -1 on odd ones: the signs of the paper's sign-alternating rectifier (`rectifier-alternating`). */
export const alternatingSigns = (units: number): tf.Tensor1D => {
  const signs = new Float32Array(units)
  for (let i = 0; i < units; i++) signs[i] = i % 2 === 0 ? 1 : -1
  return tf.tensor1d(signs)
}

/** RReLU's slopes: one uniform draw per element in training, the mean at evaluation. */
const randomizedRectifier = (lower: number, upper: number) =>
(z: tf.Tensor2D, context: ActivationContext): tf.Tensor2D => {
  if (!context.training) return tf.leakyRelu(z, (lower + upper) / 2)
  const [rows, columns] = z.shape
  const slopes = context.noise.fillUniform(new Float32Array(rows * columns), lower, upper)
  return tf.prelu(z, tf.tensor2d(slopes, [rows, columns]))
}

/** A member's metadata; its configuration parameters are added from their schemas (`definitions`). */
type Description = Omit<ActivationMeta, "parameters" | "learnable"> & Partial<Pick<ActivationMeta, "learnable">>

const meta = (fields: Description): Omit<ActivationMeta, "parameters"> => ({ learnable: [], ...fields })

/** A member as written below, before its parameters' metadata is read from their schemas. */
type Member = Omit<Definition, "meta"> & { readonly meta: Omit<ActivationMeta, "parameters"> }

const SMOOTH = "differentiable everywhere"

const members: Readonly<Record<ActivationName, Member>> = {
  sigmoid: {
    meta: meta({
      formula: "1 / (1 + e^-x)",
      origin: "Rumelhart, Hinton & Williams",
      year: 1986,
      range: "(0, 1)",
      bounded: true,
      exactZeros: false,
      monotonic: true,
      convention: SMOOTH
    }),
    build: () => elementwise(F.sigmoid)
  },
  tanh: {
    meta: meta({
      formula: "tanh(x)",
      origin: "LeCun, Bottou, Orr & Müller (Efficient BackProp)",
      year: 1998,
      range: "(-1, 1)",
      bounded: true,
      exactZeros: false,
      monotonic: true,
      convention: SMOOTH
    }),
    build: () => elementwise(F.tanh)
  },
  "hard-tanh": {
    meta: meta({
      formula: "max(-1, min(1, x))",
      origin: "Collobert (PhD thesis, Paris VI)",
      year: 2004,
      range: "[-1, 1]",
      bounded: true,
      exactZeros: false,
      monotonic: true,
      convention: "derivative 1 at x = ±1 (the ends count as inside)"
    }),
    build: () => elementwise(F.hardTanh)
  },
  softplus: {
    meta: meta({
      formula: "log(1 + e^x)",
      origin: "Dugas, Bengio, Bélisle, Nadeau & Garcia",
      year: 2001,
      range: "(0, ∞)",
      bounded: false,
      exactZeros: false,
      monotonic: true,
      convention: SMOOTH
    }),
    build: () => elementwise(F.softplus)
  },
  "softplus-rescaled": {
    meta: meta({
      formula: "(1/a) log(1 + e^(a x))",
      origin: "Glorot, Bordes & Bengio (a → ∞ gives the rectifier)",
      year: 2011,
      range: "(0, ∞)",
      bounded: false,
      exactZeros: false,
      monotonic: true,
      convention: SMOOTH
    }),
    build: (s) => elementwise(F.rescaledSoftplus(number(s, "a")))
  },
  rectifier: {
    meta: meta({
      formula: "max(0, x)",
      origin: "Nair & Hinton; in deep nets Glorot, Bordes & Bengio 2011",
      year: 2010,
      range: "[0, ∞)",
      bounded: false,
      exactZeros: true,
      monotonic: true,
      convention: "derivative 0 at x = 0"
    }),
    build: () => elementwise(F.rectifier)
  },
  "rectifier-alternating": {
    meta: meta({
      formula: "s_j max(0, x_j), s_j = +1 on even units j, -1 on odd ones",
      origin: "Glorot, Bordes & Bengio (cancels the mean activation)",
      year: 2011,
      range: "(-∞, ∞); [0, ∞) or (-∞, 0] per unit",
      bounded: false,
      exactZeros: true,
      monotonic: false,
      convention: "derivative 0 at x = 0"
    }),
    build: () => ({
      fanInFactor: 1,
      parameters: () => [],
      apply: (z) => tf.mul(tf.relu(z), alternatingSigns(z.shape[1])) as tf.Tensor2D
    })
  },
  "abs-tanh": {
    meta: meta({
      formula: "|tanh(x)|",
      origin: "Jarrett, Kavukcuoglu, Ranzato & LeCun (their rectified tanh)",
      year: 2009,
      range: "[0, 1)",
      bounded: true,
      exactZeros: false,
      monotonic: false,
      convention: "derivative 0 at x = 0"
    }),
    build: () => elementwise(F.absTanh)
  },
  "rectified-tanh": {
    meta: meta({
      formula: "max(0, tanh(x))",
      origin: "Glorot, Bordes & Bengio (footnote: tried, worse than the rectifier)",
      year: 2011,
      range: "[0, 1)",
      bounded: true,
      exactZeros: true,
      monotonic: true,
      convention: "derivative 0 at x = 0"
    }),
    build: () => elementwise(F.rectifiedTanh)
  },
  "leaky-rectifier": {
    meta: meta({
      formula: "x for x > 0, slope · x otherwise",
      origin: "Maas, Hannun & Ng",
      year: 2013,
      range: "(-∞, ∞)",
      bounded: false,
      exactZeros: false,
      monotonic: true,
      convention: "derivative = slope at x = 0"
    }),
    build: (s) => elementwise(F.leakyRectifier(number(s, "slope")))
  },
  prelu: {
    meta: meta({
      formula: "x for x > 0, a_j · x otherwise, a learned",
      origin: "He, Zhang, Ren & Sun (Delving deep into rectifiers)",
      year: 2015,
      range: "(-∞, ∞)",
      bounded: false,
      exactZeros: false,
      monotonic: false,
      learnable: ["slope: [units] (or [1] when shared), the negative-side slopes a_j"],
      convention: "derivative = a_j at x = 0; d/da_j = min(x, 0)"
    }),
    build: (s) => {
      const shared = s["shared"] === true
      const initial = number(s, "initial")
      return {
        fanInFactor: 1,
        parameters: (units) => [{ name: "slope", initial: new Float32Array(shared ? 1 : units).fill(initial) }],
        apply: (z, parameters) => {
          const slope = parameters[0]
          if (slope === undefined) throw new Error("prelu needs its learnable slope tensor (see parameters(units))")
          return tf.prelu(z, slope) as tf.Tensor2D
        }
      }
    }
  },
  rrelu: {
    meta: meta({
      formula: "x for x > 0, a · x otherwise; a ~ U(lower, upper) per element in training, (lower + upper)/2 at evaluation",
      origin: "Xu, Wang, Chen & Li (Empirical evaluation of rectified activations)",
      year: 2015,
      range: "(-∞, ∞)",
      bounded: false,
      exactZeros: false,
      monotonic: true,
      convention: "derivative = the element's slope a at x = 0"
    }),
    build: (s) => {
      const forward = randomizedRectifier(number(s, "lower"), number(s, "upper"))
      return { fanInFactor: 1, parameters: () => [], apply: (z, _parameters, context) => forward(z, context) }
    }
  },
  elu: {
    meta: meta({
      formula: "x for x > 0, α (e^x - 1) otherwise",
      origin: "Clevert, Unterthiner & Hochreiter",
      year: 2016,
      range: "(-α, ∞)",
      bounded: false,
      exactZeros: false,
      monotonic: true,
      convention: "derivative α at x = 0 (the left one; equal to the right one, 1, when α = 1)"
    }),
    build: (s) => elementwise(F.exponentialLinear(number(s, "alpha"), 1))
  },
  selu: {
    meta: meta({
      formula: "λ (x for x > 0, α (e^x - 1) otherwise), λ ≈ 1.0507, α ≈ 1.6733",
      origin: "Klambauer, Unterthiner, Mayr & Hochreiter (use with lecun-normal)",
      year: 2017,
      range: "(-λα, ∞) ≈ (-1.758, ∞)",
      bounded: false,
      exactZeros: false,
      monotonic: true,
      convention: "derivative λα ≈ 1.758 at x = 0 (the left one)"
    }),
    build: () => elementwise(F.exponentialLinear(SELU_ALPHA, SELU_SCALE))
  },
  gelu: {
    meta: meta({
      formula: "x Φ(x), Φ the standard normal CDF",
      origin: "Hendrycks & Gimpel",
      year: 2016,
      range: "[≈ -0.170, ∞)",
      bounded: false,
      exactZeros: false,
      monotonic: false,
      convention: SMOOTH
    }),
    build: () => elementwise(F.gelu)
  },
  "gelu-tanh": {
    meta: meta({
      formula: "x (1 + tanh(√(2/π) (x + 0.044715 x³))) / 2",
      origin: "Hendrycks & Gimpel (their tanh approximation)",
      year: 2016,
      range: "[≈ -0.170, ∞)",
      bounded: false,
      exactZeros: false,
      monotonic: false,
      convention: SMOOTH
    }),
    build: () => elementwise(F.geluTanh)
  },
  swish: {
    meta: meta({
      formula: "x σ(β x) (SiLU when β = 1)",
      origin: "Ramachandran, Zoph & Le; SiLU: Elfwing, Uchibe & Doya",
      year: 2017,
      range: "[≈ -0.278/β, ∞)",
      bounded: false,
      exactZeros: false,
      monotonic: false,
      convention: SMOOTH
    }),
    build: (s) => elementwise(F.swish(number(s, "beta")))
  },
  mish: {
    meta: meta({
      formula: "x tanh(log(1 + e^x))",
      origin: "Misra",
      year: 2019,
      range: "[≈ -0.309, ∞)",
      bounded: false,
      exactZeros: false,
      monotonic: false,
      convention: SMOOTH
    }),
    build: () => elementwise(F.mish)
  },
  maxout: {
    meta: meta({
      formula: "max over k pieces: max(x_{jk}, …, x_{jk+k-1}) (layer has k·units pre-activations)",
      origin: "Goodfellow, Warde-Farley, Mirza, Courville & Bengio",
      year: 2013,
      range: "(-∞, ∞)",
      bounded: false,
      exactZeros: false,
      monotonic: true,
      convention: "at ties every tied piece receives the full gradient"
    }),
    build: (s) => {
      const pieces = number(s, "pieces")
      return {
        fanInFactor: pieces,
        parameters: () => [],
        apply: (z) => {
          const [rows, columns] = z.shape
          return tf.max(tf.reshape(z, [rows, columns / pieces, pieces]), 2) as tf.Tensor2D
        }
      }
    }
  },
  glu: {
    meta: meta({
      formula: "a σ(b), [a | b] the two halves of the pre-activations",
      origin: "Dauphin, Fan, Auli & Grangier",
      year: 2017,
      range: "(-∞, ∞)",
      bounded: false,
      exactZeros: false,
      monotonic: false,
      convention: SMOOTH
    }),
    build: () => gated(F.sigmoid)
  },
  reglu: {
    meta: meta({
      formula: "a max(0, b), [a | b] the two halves of the pre-activations",
      origin: "Shazeer (GLU variants improve transformer)",
      year: 2020,
      range: "(-∞, ∞)",
      bounded: false,
      exactZeros: true,
      monotonic: false,
      convention: "derivative in b is 0 at b = 0"
    }),
    build: () => gated(F.rectifier)
  },
  geglu: {
    meta: meta({
      formula: "a GELU(b), [a | b] the two halves of the pre-activations",
      origin: "Shazeer (GLU variants improve transformer)",
      year: 2020,
      range: "(-∞, ∞)",
      bounded: false,
      exactZeros: false,
      monotonic: false,
      convention: SMOOTH
    }),
    build: () => gated(F.gelu)
  },
  swiglu: {
    meta: meta({
      formula: "a b σ(b), [a | b] the two halves of the pre-activations",
      origin: "Shazeer (GLU variants improve transformer)",
      year: 2020,
      range: "(-∞, ∞)",
      bounded: false,
      exactZeros: false,
      monotonic: false,
      convention: SMOOTH
    }),
    build: () => gated(F.swish(1))
  }
}

/** Every member, its metadata completed with its configuration parameters. */
export const definitions: Readonly<Record<ActivationName, Definition>> = Object.fromEntries(
  ActivationName.literals.map((name) => [
    name,
    { ...members[name], meta: { ...members[name].meta, parameters: parameterMeta(name) } }
  ])
) as Record<ActivationName, Definition>

/** Builds `name` with `settings` (already validated; missing entries take their defaults). */
export const buildActivation = (name: ActivationName, settings: Settings = {}): Activation => {
  const definition = definitions[name]
  const complete = { ...defaultSettings(name), ...settings }
  return { name, settings: complete, meta: definition.meta, ...definition.build(complete) }
}

/** Every member with its default settings. */
export const family: Readonly<Record<ActivationName, Activation>> = Object.fromEntries(
  ActivationName.literals.map((name) => [name, buildActivation(name)])
) as Record<ActivationName, Activation>

/** The activation with this name and its default settings. */
export const activation = (name: ActivationName): Activation => family[name]
