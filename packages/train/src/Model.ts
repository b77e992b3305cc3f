/**
 * What the trainer needs from a network, whatever its family (MLP or conv
 * net): a forward pass exposing the hidden activations, its variables, the
 * weight matrix of each layer, and plain-array snapshots; plus the cost the
 * paper trains (softmax negative log-likelihood plus an L1 penalty on the
 * hidden activations), and the layer variables, methods and dense top that
 * every network family shares (`LayeredModel`, `freshDenseLayers`).
 */
import { type Activation, type ActivationContext, initializeWeights, type InitializerName } from "@rectifier/activations"
import type { FusedDenseLayer } from "@rectifier/backend"
import type { RandomStream } from "@rectifier/core"
import * as tf from "@tensorflow/tfjs-core"
import { denseLayer } from "./DenseLayer.ts"
import type { DenseWeights, ModelWeights } from "./ModelWeights.ts"

/** Outputs of one forward pass; every tensor belongs to the caller's tidy scope. */
export interface ForwardPass {
  readonly logits: tf.Tensor2D
  /** Each hidden layer's output, flattened to [batch, units]. */
  readonly hidden: ReadonlyArray<tf.Tensor2D>
}

/** What the trainer needs from a network, whatever its family (`Mlp`, `ConvNet`, both `LayeredModel`s). */
export interface Model {
  /** Units of each hidden layer as `ForwardPass.hidden` flattens it, input side first. */
  readonly hiddenWidths: ReadonlyArray<number>
  /**
   * Runs a batch, [batch, features], through the network; `context` says
   * whether it is training and feeds stochastic activations their noise.
   */
  forward(inputs: tf.Tensor2D, context: ActivationContext): ForwardPass
  /** Every trainable variable, in a fixed order (the order of `snapshot`'s layers and fields). */
  variables(): Array<tf.Variable>
  /** The weight matrix (or kernel, as [fanIn, fanOut]) of each layer, input side first, output last. */
  weightVariables(): Array<tf.Variable>
  /** Copies of the current weights as plain arrays (never views of backend memory). */
  snapshot(): ModelWeights
  /** Overwrites the weights with `weights` (same shapes). */
  restore(weights: ModelWeights): void
  /** Releases every variable; the model is unusable after. */
  dispose(): void
}

/**
 * The L1 term, coefficient · Σ_layers sum(|h|), with its gradient written out: for each layer
 * (dy · coefficient) · step(h, -1). That is what tfjs's autodiff of the composite
 * `mul(coefficient, ((0 + sum(abs(h1))) + sum(abs(h2))) + ...)` computes (the adds pass dy through,
 * Abs' is step(h, -1), Sum' a product by ones: every product by 1 or ±1 is exact, and 0 + s = s for
 * a sum of magnitudes), so every bit is the same; as one op for all layers it dispatches 17 kernels
 * fewer a step than a chain of one op per layer (45 -> 28 on the flagship's 3 layers). The layers'
 * outputs must be saved (a clone each): tfjs disposes the forward pass's tensors before the
 * backward one, and on wasm a disposed tensor's data is gone.
 */
const l1Term = (coefficient: number) =>
  tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const hidden = args.slice(0, -1) as Array<tf.Tensor>
    const save = args[args.length - 1] as tf.GradSaveFunc
    save(hidden)
    let sum = tf.sum(tf.abs(hidden[0]!))
    for (const h of hidden.slice(1)) sum = tf.add(sum, tf.sum(tf.abs(h)))
    return {
      value: tf.mul(tf.scalar(coefficient), sum),
      gradFunc: (dy: tf.Tensor, saved: Array<tf.Tensor>) => {
        const scale = tf.mul(dy, tf.scalar(coefficient))
        return saved.map((h) => tf.mul(scale, tf.step(h, -1)))
      }
    }
  }) as (...hidden: Array<tf.Tensor>) => tf.Scalar

/**
 * The batch's mean softmax negative log-likelihood of one-hot `labels`, with the float operations
 * of tfjs's `losses.softmaxCrossEntropy(labels, logits, MEAN)` in the same order (log-sum-exp
 * shifted by the row's maximum; the gradient (dy / batch) · (exp(log p) - labels)), so every bit
 * is the same, in 18 kernels a step instead of 31: no casts of float32 to itself, no reshapes
 * around the log-sum-exp (its sums keep their dimension instead), and no gradient for the labels,
 * which tfjs computes and drops. The labels are saved with the log-probabilities (a clone each):
 * tfjs disposes the forward pass's tensors before the backward one, and on wasm a disposed
 * tensor's data is gone.
 */
const meanSoftmaxNll = (labels: tf.Tensor2D) =>
  tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [logits, save] = args as [tf.Tensor2D, tf.GradSaveFunc]
    const rowMax = tf.max(logits, 1, true)
    const logSumExp = tf.add(rowMax, tf.log(tf.sum(tf.exp(tf.sub(logits, rowMax)), 1, true)))
    const logProbabilities = tf.sub(logits, logSumExp)
    save([labels, logProbabilities])
    return {
      value: tf.mean(tf.sum(tf.neg(tf.mul(logProbabilities, labels)), 1)),
      gradFunc: (dy: tf.Tensor, saved: Array<tf.Tensor>) =>
        tf.mul(tf.div(dy, logits.shape[0]), tf.sub(tf.exp(saved[1]!), saved[0]!))
    }
  }) as (logits: tf.Tensor2D) => tf.Scalar

/** Mean softmax NLL of the batch plus `l1` times the batch-mean L1 norm of all hidden activations. */
export const modelCost = (
  model: Model,
  inputs: tf.Tensor2D,
  oneHotTargets: tf.Tensor2D,
  l1: number,
  context: ActivationContext
): tf.Scalar => {
  const { hidden, logits } = model.forward(inputs, context)
  const nll = meanSoftmaxNll(oneHotTargets)(logits)
  if (l1 === 0 || hidden.length === 0) return nll
  return tf.add(nll, l1Term(l1 / inputs.shape[0])(...hidden)) as tf.Scalar
}

let variableCounter = 0

/** A trainable variable holding `initial`'s values; `initial` itself is released. */
export const variableOf = <R extends tf.Rank>(initial: tf.Tensor<R>, name: string): tf.Variable<R> => {
  const variable = tf.variable(initial, true, `${name}#${variableCounter++}`)
  initial.dispose()
  return variable
}

/** A layer's tensors: weights [fanIn, fanOut], bias, and learnable activation parameters. */
export interface LayerVariables {
  readonly fanIn: number
  readonly fanOut: number
  readonly weights: tf.Variable<tf.Rank.R2>
  readonly bias: tf.Variable<tf.Rank.R1>
  readonly activationParameters: ReadonlyArray<{ readonly name: string; readonly value: tf.Variable }>
}

/** Variables holding copies of `weights`. */
export const layerVariables = (weights: ModelWeights, prefix: string): Array<LayerVariables> =>
  weights.layers.map((layer, l) => ({
    fanIn: layer.fanIn,
    fanOut: layer.fanOut,
    weights: variableOf(tf.tensor2d(layer.weights, [layer.fanIn, layer.fanOut]), `${prefix}/l${l}/w`),
    bias: variableOf(tf.tensor1d(layer.bias), `${prefix}/l${l}/b`),
    activationParameters: Object.entries(layer.activationParameters).map(([name, value]) => ({
      name,
      value: variableOf(tf.tensor1d(value), `${prefix}/l${l}/${name}`)
    }))
  }))

/**
 * What every layered network shares: its layers' variables, the Model
 * methods over them, and the dense top (hidden layers, then the linear
 * output layer) of the forward pass.
 */
export abstract class LayeredModel implements Model {
  abstract readonly hiddenWidths: ReadonlyArray<number>
  abstract forward(inputs: tf.Tensor2D, context: ActivationContext): ForwardPass
  /** The activation of each hidden layer (then none for the output layer). */
  readonly activations: ReadonlyArray<Activation>
  protected readonly layers: ReadonlyArray<LayerVariables>
  /** The backend's fused dense layer (`capabilities.denseLayer`), or undefined to compose tfjs's ops. */
  protected readonly fused: FusedDenseLayer | undefined

  protected constructor(
    activations: ReadonlyArray<Activation>,
    layers: ReadonlyArray<LayerVariables>,
    fused: FusedDenseLayer | undefined
  ) {
    this.activations = activations
    this.layers = layers
    this.fused = fused
  }

  /**
   * Runs `current` through layers `from` to the last but one (each a dense
   * layer with its activation, DenseLayer.ts, its output appended to `hidden`)
   * and returns the logits of the last, linear, layer.
   */
  protected denseForward(
    current: tf.Tensor2D,
    from: number,
    context: ActivationContext,
    hidden: Array<tf.Tensor2D>
  ): tf.Tensor2D {
    const last = this.layers.length - 1
    for (let l = from; l < last; l++) {
      current = denseLayer(current, this.layers[l]!, this.activations[l]!, context, this.fused)
      hidden.push(current)
    }
    return denseLayer(current, this.layers[last]!, undefined, context, this.fused)
  }

  variables(): Array<tf.Variable> {
    return this.layers.flatMap((layer) => [layer.weights, layer.bias, ...layer.activationParameters.map((p) => p.value)])
  }

  weightVariables(): Array<tf.Variable> {
    return this.layers.map((layer) => layer.weights)
  }

  snapshot(): ModelWeights {
    const copy = (variable: tf.Variable) => (variable.dataSync() as Float32Array).slice()
    return {
      layers: this.layers.map((layer) => ({
        fanIn: layer.fanIn,
        fanOut: layer.fanOut,
        weights: copy(layer.weights),
        bias: copy(layer.bias),
        activationParameters: Object.fromEntries(layer.activationParameters.map((p) => [p.name, copy(p.value)]))
      }))
    }
  }

  restore(weights: ModelWeights): void {
    tf.tidy(() =>
      weights.layers.forEach((source, l) => {
        const layer = this.layers[l]!
        layer.weights.assign(tf.tensor2d(source.weights, [source.fanIn, source.fanOut]))
        layer.bias.assign(tf.tensor1d(source.bias))
        for (const parameter of layer.activationParameters) {
          const value = source.activationParameters[parameter.name]
          if (value !== undefined) parameter.value.assign(tf.tensor1d(value))
        }
      })
    )
  }

  dispose(): void {
    for (const variable of this.variables()) variable.dispose()
  }
}

/** Fresh weights for one layer of `units` outputs from `initializer`; biases start at zero. */
export const freshLayer = (
  initializer: InitializerName,
  fanIn: number,
  units: number,
  activation: Activation | undefined,
  stream: RandomStream
): DenseWeights => {
  const fanOut = activation === undefined ? units : units * activation.fanInFactor
  const activationParameters: Record<string, Float32Array> = {}
  for (const parameter of activation?.parameters(units) ?? []) {
    activationParameters[parameter.name] = Float32Array.from(parameter.initial)
  }
  return {
    fanIn,
    fanOut,
    weights: initializeWeights(initializer, fanIn, fanOut, stream),
    bias: new Float32Array(fanOut),
    activationParameters
  }
}

/**
 * Fresh dense layers on `inputs` features: one per width of `hiddenLayers`
 * (layer d with `activations[d]`), then the linear output layer of `classes`.
 */
export const freshDenseLayers = (
  initializer: InitializerName,
  inputs: number,
  hiddenLayers: ReadonlyArray<number>,
  classes: number,
  activations: ReadonlyArray<Activation | undefined>,
  stream: RandomStream
): Array<DenseWeights> =>
  [inputs, ...hiddenLayers].map((fanIn, d) =>
    d === hiddenLayers.length
      ? freshLayer(initializer, fanIn, classes, undefined, stream)
      : freshLayer(initializer, fanIn, hiddenLayers[d]!, activations[d], stream)
  )
