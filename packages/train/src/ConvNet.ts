/**
 * A small convolutional net (the seed article's "convolutional net" row):
 * stages of convolution ("same" padding), activation and max-pooling, then
 * dense hidden layers and a linear output layer. Kernels are stored as
 * [k·k·inChannels, outChannels] matrices, so they share the plain weights
 * format with dense layers. Convolutions run as depth-1 3-D convolutions,
 * whose filter gradient every tfjs backend implements (the wasm backend has
 * no 2-D filter gradient).
 */
import type { Activation, ActivationContext, InitializerName } from "@rectifier/activations"
import type { FusedDenseLayer } from "@rectifier/backend"
import type { RandomStream } from "@rectifier/core"
import * as tf from "@tensorflow/tfjs-core"
import { type ForwardPass, freshDenseLayers, freshLayer, LayeredModel, layerVariables } from "./Model.ts"
import type { DenseWeights, ModelWeights } from "./ModelWeights.ts"

/**
 * The architecture of a `ConvNet`: the input image, the output channels of
 * each convolution stage, the square kernel side and pooling window, then
 * the dense hidden widths and the output classes.
 */
export interface ConvNetShape {
  /** One example: [height, width] or [height, width, channels]. */
  readonly image: ReadonlyArray<number>
  readonly channels: ReadonlyArray<number>
  readonly kernelSize: number
  readonly pool: number
  readonly hiddenLayers: ReadonlyArray<number>
  readonly classes: number
}

interface Geometry {
  readonly height: number
  readonly width: number
  readonly channels: number
}

const pooled = (side: number, pool: number) => Math.floor((side - pool) / pool) + 1

/** Each convolution stage's input geometry, and the flattened width after the last pooling. */
const geometry = (shape: ConvNetShape) => {
  const stages: Array<Geometry> = []
  let current: Geometry = { height: shape.image[0]!, width: shape.image[1]!, channels: shape.image[2] ?? 1 }
  for (const channels of shape.channels) {
    stages.push(current)
    current = { height: pooled(current.height, shape.pool), width: pooled(current.width, shape.pool), channels }
  }
  return { stages, flattened: current.height * current.width * current.channels }
}

/** Applies `activation` to the channel axis of an NHWC map. */
const applyToChannels = (
  activation: Activation,
  map: tf.Tensor4D,
  parameters: ReadonlyArray<tf.Tensor>,
  context: ActivationContext
): tf.Tensor4D => {
  const [batch, height, width, channels] = map.shape
  const flat = tf.reshape(map, [batch * height * width, channels]) as tf.Tensor2D
  const out = activation.apply(flat, parameters, context)
  return tf.reshape(out, [batch, height, width, out.shape[1]]) as tf.Tensor4D
}

/**
 * A conv net: convolution stages (each a "same" convolution, its activation,
 * then max-pooling), then dense hidden layers and a linear output layer.
 * `ConvNet.initialize` draws fresh weights. Its hidden widths are each
 * stage's activation map, flattened, then the dense layers' widths.
 */
export class ConvNet extends LayeredModel {
  readonly shape: ConvNetShape
  readonly hiddenWidths: ReadonlyArray<number>
  private readonly stages: ReadonlyArray<Geometry>

  private constructor(
    shape: ConvNetShape,
    activations: ReadonlyArray<Activation>,
    weights: ModelWeights,
    fused: FusedDenseLayer | undefined
  ) {
    super(activations, layerVariables(weights, "conv"), fused)
    this.shape = shape
    const { stages } = geometry(shape)
    this.stages = stages
    this.hiddenWidths = [
      ...stages.map((stage, s) => stage.height * stage.width * shape.channels[s]!),
      ...shape.hiddenLayers
    ]
  }

  /**
   * Fresh weights from `initializer` (fan-in of a kernel: k·k·inChannels); biases start at zero.
   * `fused` is the backend's fused dense layer for the dense top (as for `Mlp.initialize`).
   */
  static initialize(
    shape: ConvNetShape,
    activations: ReadonlyArray<Activation>,
    initializer: InitializerName,
    stream: RandomStream,
    fused?: FusedDenseLayer
  ): ConvNet {
    const { flattened, stages } = geometry(shape)
    const k = shape.kernelSize
    const layers: Array<DenseWeights> = stages.map((stage, s) =>
      freshLayer(initializer, k * k * stage.channels, shape.channels[s]!, activations[s], stream)
    )
    layers.push(
      ...freshDenseLayers(initializer, flattened, shape.hiddenLayers, shape.classes, activations.slice(stages.length), stream)
    )
    return new ConvNet(shape, activations, { layers }, fused)
  }

  forward(inputs: tf.Tensor2D, context: ActivationContext): ForwardPass {
    const hidden: Array<tf.Tensor2D> = []
    const batch = inputs.shape[0]
    const k = this.shape.kernelSize
    const first = this.stages[0]!
    let map = tf.reshape(inputs, [batch, first.height, first.width, first.channels]) as tf.Tensor4D
    this.stages.forEach((stage, s) => {
      const layer = this.layers[s]!
      const kernel = tf.reshape(layer.weights, [1, k, k, stage.channels, layer.fanOut]) as tf.Tensor5D
      const volume = tf.reshape(map, [batch, 1, stage.height, stage.width, stage.channels]) as tf.Tensor5D
      const convolved = tf.add(tf.conv3d(volume, kernel, 1, "same"), layer.bias)
      const pre = tf.reshape(convolved, [batch, stage.height, stage.width, layer.fanOut]) as tf.Tensor4D
      const activated = applyToChannels(this.activations[s]!, pre, layer.activationParameters.map((p) => p.value), context)
      hidden.push(tf.reshape(activated, [batch, -1]) as tf.Tensor2D)
      map = tf.maxPool(activated, this.shape.pool, this.shape.pool, "valid")
    })
    const flat = tf.reshape(map, [batch, -1]) as tf.Tensor2D
    const logits = this.denseForward(flat, this.stages.length, context, hidden)
    return { logits, hidden }
  }
}
