/**
 * A multi-layer perceptron on tfjs variables: dense hidden layers, each with
 * its own activation, and a linear output layer.
 */
import type { Activation, ActivationContext, InitializerName } from "@rectifier/activations"
import type { RandomStream } from "@rectifier/core"
import * as tf from "@tensorflow/tfjs-core"
import {
  allVariables,
  type ForwardPass,
  freshLayer,
  type LayerVariables,
  type Model,
  modelCost,
  layerVariables,
  restoreLayers,
  snapshotLayers
} from "./Model.ts"
import type { ModelWeights } from "./ModelWeights.ts"

export interface MlpShape {
  readonly inputs: number
  readonly hiddenLayers: ReadonlyArray<number>
  readonly classes: number
}

/** One activation for every hidden layer, or one per layer. */
export type LayerActivations = Activation | ReadonlyArray<Activation>

const perLayer = (activations: LayerActivations, layers: number): ReadonlyArray<Activation> =>
  Array.isArray(activations)
    ? activations as ReadonlyArray<Activation>
    : Array.from({ length: layers }, () => activations as Activation)

export class Mlp implements Model {
  readonly shape: MlpShape
  readonly activations: ReadonlyArray<Activation>
  private readonly layers: ReadonlyArray<LayerVariables>

  private constructor(shape: MlpShape, activations: ReadonlyArray<Activation>, layers: ReadonlyArray<LayerVariables>) {
    this.shape = shape
    this.activations = activations
    this.layers = layers
  }

  get hiddenWidths(): ReadonlyArray<number> {
    return this.shape.hiddenLayers
  }

  /** Fresh weights from `initializer`, drawn from `stream`; biases start at zero. */
  static initialize(
    shape: MlpShape,
    activations: LayerActivations,
    initializer: InitializerName,
    stream: RandomStream
  ): Mlp {
    const neurons = perLayer(activations, shape.hiddenLayers.length)
    const sizes = [shape.inputs, ...shape.hiddenLayers]
    const layers = sizes.map((fanIn, l) =>
      l === shape.hiddenLayers.length
        ? freshLayer(initializer, fanIn, shape.classes, undefined, stream)
        : freshLayer(initializer, fanIn, shape.hiddenLayers[l]!, neurons[l], stream)
    )
    return Mlp.fromWeights(shape, neurons, { layers })
  }

  /** A model holding copies of `weights`, which must match `shape`. */
  static fromWeights(shape: MlpShape, activations: LayerActivations, weights: ModelWeights): Mlp {
    return new Mlp(shape, perLayer(activations, shape.hiddenLayers.length), layerVariables(weights, "mlp"))
  }

  variables(): Array<tf.Variable> {
    return allVariables(this.layers)
  }

  weightVariables(): Array<tf.Variable> {
    return this.layers.map((layer) => layer.weights)
  }

  forward(inputs: tf.Tensor2D, context: ActivationContext): ForwardPass {
    const hidden: Array<tf.Tensor2D> = []
    let current = inputs
    const last = this.layers.length - 1
    for (let l = 0; l < last; l++) {
      const layer = this.layers[l]!
      const preActivation = tf.fused.matMul({ a: current, b: layer.weights, bias: layer.bias })
      current = this.activations[l]!.apply(
        preActivation as tf.Tensor2D,
        layer.activationParameters.map((p) => p.value),
        context
      )
      hidden.push(current)
    }
    const output = this.layers[last]!
    const logits = tf.fused.matMul({ a: current, b: output.weights, bias: output.bias }) as tf.Tensor2D
    return { logits, hidden }
  }

  /** Mean softmax NLL of the batch plus `l1` times the batch-mean L1 norm of all hidden activations. */
  cost(inputs: tf.Tensor2D, oneHotTargets: tf.Tensor2D, l1: number, context: ActivationContext): tf.Scalar {
    return modelCost(this, inputs, oneHotTargets, l1, context)
  }

  snapshot(): ModelWeights {
    return snapshotLayers(this.layers)
  }

  restore(weights: ModelWeights): void {
    restoreLayers(this.layers, weights)
  }

  dispose(): void {
    for (const variable of this.variables()) variable.dispose()
  }
}
