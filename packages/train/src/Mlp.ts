/**
 * A multi-layer perceptron on tfjs variables: dense hidden layers, each with
 * its own activation, and a linear output layer.
 */
import type { Activation, ActivationContext, InitializerName } from "@rectifier/activations"
import type { FusedDenseLayer } from "@rectifier/backend"
import type { RandomStream } from "@rectifier/core"
import * as tf from "@tensorflow/tfjs-core"
import { type ForwardPass, freshDenseLayers, LayeredModel, layerVariables, modelCost } from "./Model.ts"
import type { ModelWeights } from "./ModelWeights.ts"

/** The architecture of an `Mlp`: input features, hidden widths (input side first) and output classes. */
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

/**
 * A multi-layer perceptron: dense hidden layers, each with its own
 * activation, then a linear output layer. `Mlp.initialize` draws fresh
 * weights; `Mlp.fromWeights` takes given ones (pre-trained or checkpointed).
 */
export class Mlp extends LayeredModel {
  readonly shape: MlpShape

  private constructor(
    shape: MlpShape,
    activations: ReadonlyArray<Activation>,
    weights: ModelWeights,
    fused: FusedDenseLayer | undefined
  ) {
    super(activations, layerVariables(weights, "mlp"), fused)
    this.shape = shape
  }

  get hiddenWidths(): ReadonlyArray<number> {
    return this.shape.hiddenLayers
  }

  /**
   * Fresh weights from `initializer`, drawn from `stream`; biases start at zero. `fused` is the
   * backend's fused dense layer (`capabilities.denseLayer` of `TensorBackend`; DenseLayer.ts).
   */
  static initialize(
    shape: MlpShape,
    activations: LayerActivations,
    initializer: InitializerName,
    stream: RandomStream,
    fused?: FusedDenseLayer
  ): Mlp {
    const neurons = perLayer(activations, shape.hiddenLayers.length)
    const layers = freshDenseLayers(initializer, shape.inputs, shape.hiddenLayers, shape.classes, neurons, stream)
    return Mlp.fromWeights(shape, neurons, { layers }, fused)
  }

  /** A model holding copies of `weights`, which must match `shape`; `fused` as for `initialize`. */
  static fromWeights(shape: MlpShape, activations: LayerActivations, weights: ModelWeights, fused?: FusedDenseLayer): Mlp {
    return new Mlp(shape, perLayer(activations, shape.hiddenLayers.length), weights, fused)
  }

  forward(inputs: tf.Tensor2D, context: ActivationContext): ForwardPass {
    const hidden: Array<tf.Tensor2D> = []
    const logits = this.denseForward(inputs, 0, context, hidden)
    return { logits, hidden }
  }

  /** Mean softmax NLL of the batch plus `l1` times the batch-mean L1 norm of all hidden activations. */
  cost(inputs: tf.Tensor2D, oneHotTargets: tf.Tensor2D, l1: number, context: ActivationContext): tf.Scalar {
    return modelCost(this, inputs, oneHotTargets, l1, context)
  }
}
