/**
 * What an activation is to the rest of the toolkit: a forward function on
 * tfjs tensors that autodiff differentiates, how it changes a layer's width,
 * any learnable parameters, and descriptive metadata.
 */
import type * as tf from "@tensorflow/tfjs-core"
import type { RandomStream } from "@rectifier/core"

/** Where the forward pass is running: training draws noise, evaluation does not. */
export interface ActivationContext {
  readonly training: boolean
  /** The stream stochastic activations draw from (RReLU and the like). */
  readonly noise: RandomStream
}

/** A learnable parameter of an activation, per layer. */
export interface ActivationParameter {
  readonly name: string
  readonly initial: Float32Array
}

/** A configuration parameter of an activation (set in its spec, fixed during training), as its schema declares it (Parameters.ts). */
export interface ParameterMeta {
  readonly name: string
  readonly default: number | boolean
  /** The values allowed, from the schema's checks, e.g. "in (0, 1000]"; absent for a boolean. */
  readonly range?: string
  readonly description: string
}

/** Facts about an activation, for documentation and reports. */
export interface ActivationMeta {
  readonly formula: string
  /** Who introduced it and where. */
  readonly origin: string
  /** Year of the publication named in `origin`. */
  readonly year: number
  /** The set of output values, e.g. "[0, ∞)". */
  readonly range: string
  readonly bounded: boolean
  /** True when a whole region of inputs maps to exactly 0 (sparse outputs). */
  readonly exactZeros: boolean
  /** Non-decreasing (or non-increasing) in each pre-activation, at every parameter setting the spec allows. */
  readonly monotonic: boolean
  /** Configuration parameters with their defaults and ranges (see `ActivationParameters`). */
  readonly parameters: ReadonlyArray<ParameterMeta>
  /** Learnable parameters, described (their values come from `Activation.parameters`). */
  readonly learnable: ReadonlyArray<string>
  /** What value the derivative takes where the function is not differentiable. */
  readonly convention: string
}

/**
 * One member of the family with its settings fixed: what a layer needs to use
 * it (width factor, learnable parameters, forward pass) and its metadata. Get
 * one with `activation(name)` (defaults) or `resolveActivation(spec)`.
 */
export interface Activation {
  readonly name: string
  /** The configuration parameters in force, defaults filled in (empty for parameterless activations). */
  readonly settings: Readonly<Record<string, number | boolean>>
  /** Pre-activation units per output unit: 1 for elementwise functions, k for Maxout, 2 for gated units. */
  readonly fanInFactor: number
  /** Learnable parameters for a layer of `units` outputs; empty for fixed functions. */
  readonly parameters: (units: number) => ReadonlyArray<ActivationParameter>
  /** Maps pre-activations [batch, units * fanInFactor] to outputs [batch, units]. */
  readonly apply: (
    preActivation: tf.Tensor2D,
    parameters: ReadonlyArray<tf.Tensor>,
    context: ActivationContext
  ) => tf.Tensor2D
  readonly meta: ActivationMeta
}
