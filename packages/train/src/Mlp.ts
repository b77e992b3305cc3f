/**
 * A multi-layer perceptron on tfjs variables: dense hidden layers with a
 * chosen activation, a linear output layer, and the cost the paper trains
 * (softmax negative log-likelihood plus an L1 penalty on hidden activations).
 */
import { type Activation, type ActivationContext, initializeWeights, type InitializerName } from "@rectifier/activations"
import type { RandomStream } from "@rectifier/core"
import * as tf from "@tensorflow/tfjs-core"
import type { DenseWeights, ModelWeights } from "./ModelWeights.ts"

interface DenseLayer {
  readonly fanIn: number
  readonly fanOut: number
  readonly weights: tf.Variable<tf.Rank.R2>
  readonly bias: tf.Variable<tf.Rank.R1>
  readonly activationParameters: ReadonlyArray<{ readonly name: string; readonly value: tf.Variable }>
}

export interface MlpShape {
  readonly inputs: number
  readonly hiddenLayers: ReadonlyArray<number>
  readonly classes: number
}

/** Outputs of one forward pass; every tensor belongs to the caller's tidy scope. */
export interface ForwardPass {
  readonly logits: tf.Tensor2D
  readonly hidden: ReadonlyArray<tf.Tensor2D>
}

let modelCounter = 0

/** A trainable variable holding `initial`'s values; `initial` itself is released. */
const variableOf = <R extends tf.Rank>(initial: tf.Tensor<R>, name: string): tf.Variable<R> => {
  const variable = tf.variable(initial, true, name)
  initial.dispose()
  return variable
}

export class Mlp {
  readonly shape: MlpShape
  readonly activation: Activation
  private readonly layers: ReadonlyArray<DenseLayer>

  private constructor(shape: MlpShape, activation: Activation, layers: ReadonlyArray<DenseLayer>) {
    this.shape = shape
    this.activation = activation
    this.layers = layers
  }

  /** Fresh weights from `initializer`, drawn from `stream`; biases start at zero. */
  static initialize(
    shape: MlpShape,
    activation: Activation,
    initializer: InitializerName,
    stream: RandomStream
  ): Mlp {
    const sizes = [shape.inputs, ...shape.hiddenLayers]
    const dense: Array<DenseWeights> = []
    for (let l = 0; l <= shape.hiddenLayers.length; l++) {
      const isOutput = l === shape.hiddenLayers.length
      const fanIn = sizes[l]!
      const units = isOutput ? shape.classes : shape.hiddenLayers[l]!
      const fanOut = isOutput ? units : units * activation.fanInFactor
      const activationParameters: Record<string, Float32Array> = {}
      if (!isOutput) {
        for (const parameter of activation.parameters(units)) {
          activationParameters[parameter.name] = Float32Array.from(parameter.initial)
        }
      }
      dense.push({
        fanIn,
        fanOut,
        weights: initializeWeights(initializer, fanIn, fanOut, stream),
        bias: new Float32Array(fanOut),
        activationParameters
      })
    }
    return Mlp.fromWeights(shape, activation, { layers: dense })
  }

  /** A model holding copies of `weights`, which must match `shape`. */
  static fromWeights(shape: MlpShape, activation: Activation, weights: ModelWeights): Mlp {
    const id = modelCounter++
    const layers = weights.layers.map((layer, l): DenseLayer => ({
      fanIn: layer.fanIn,
      fanOut: layer.fanOut,
      weights: variableOf(tf.tensor2d(layer.weights, [layer.fanIn, layer.fanOut]), `mlp${id}/l${l}/w`),
      bias: variableOf(tf.tensor1d(layer.bias), `mlp${id}/l${l}/b`),
      activationParameters: Object.entries(layer.activationParameters).map(([name, value]) => ({
        name,
        value: variableOf(tf.tensor1d(value), `mlp${id}/l${l}/${name}`)
      }))
    }))
    return new Mlp(shape, activation, layers)
  }

  /** Every trainable variable, in a fixed order. */
  variables(): Array<tf.Variable> {
    return this.layers.flatMap((layer) => [layer.weights, layer.bias, ...layer.activationParameters.map((p) => p.value)])
  }

  forward(inputs: tf.Tensor2D, context: ActivationContext): ForwardPass {
    const hidden: Array<tf.Tensor2D> = []
    let current = inputs
    const last = this.layers.length - 1
    for (let l = 0; l < last; l++) {
      const layer = this.layers[l]!
      const preActivation = tf.fused.matMul({ a: current, b: layer.weights, bias: layer.bias })
      current = this.activation.apply(preActivation as tf.Tensor2D, layer.activationParameters.map((p) => p.value), context)
      hidden.push(current)
    }
    const output = this.layers[last]!
    const logits = tf.fused.matMul({ a: current, b: output.weights, bias: output.bias }) as tf.Tensor2D
    return { logits, hidden }
  }

  /** Mean softmax NLL of the batch plus `l1` times the batch-mean L1 norm of all hidden activations. */
  cost(inputs: tf.Tensor2D, oneHotTargets: tf.Tensor2D, l1: number, context: ActivationContext): tf.Scalar {
    const { hidden, logits } = this.forward(inputs, context)
    const nll = tf.losses.softmaxCrossEntropy(oneHotTargets, logits, undefined, undefined, tf.Reduction.MEAN)
    if (l1 === 0) return nll as tf.Scalar
    const batch = inputs.shape[0]
    let penalty: tf.Tensor = tf.scalar(0)
    for (const h of hidden) penalty = tf.add(penalty, tf.sum(tf.abs(h)))
    return tf.add(nll, tf.mul(tf.scalar(l1 / batch), penalty)) as tf.Scalar
  }

  /** Copies of the current weights as plain arrays (never views of backend memory). */
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

  /** Overwrites the weights with `weights` (same shapes). */
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
    }))
  }

  dispose(): void {
    for (const variable of this.variables()) variable.dispose()
  }
}
