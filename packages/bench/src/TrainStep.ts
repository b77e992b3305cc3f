/**
 * One SGD step of the rectifier MLP through the trainer's own code: the
 * `Mlp` of @rectifier/train (each layer the backend's fused dense layer, or
 * tfjs's fused matMul + bias, then the rectifier, or its sign-alternating
 * form, of @rectifier/activations, where it has none), its softmax
 * cross-entropy cost `modelCost` (no L1 term) and its `Sgd` optimizer with the backend's own SGD update. So the
 * benchmark times what `pnpm run pipeline` runs, step for step.
 */
import { family } from "@rectifier/activations"
import type { Capabilities } from "@rectifier/backend"
import { RandomStream } from "@rectifier/core"
import { Mlp, modelCost, Sgd } from "@rectifier/train"
import type * as tf from "@tensorflow/tfjs-core"
import type { StepActivation } from "./Workload.ts"

export interface Trainee {
  readonly model: Mlp
  readonly optimizer: Sgd
}

/**
 * The MLP with layer sizes `sizes` (inputs first), the given weights ([in, out] row-major) and biases
 * and `activation` on its hidden layers, its layers through the backend's fused dense layer where it
 * has one, trained by the backend's SGD update.
 */
export const makeTrainee = (
  weights: ReadonlyArray<Float32Array>,
  biases: ReadonlyArray<Float32Array>,
  sizes: ReadonlyArray<number>,
  capabilities: Pick<Capabilities, "denseLayer" | "sgd">,
  activation: StepActivation = "rectifier"
): Trainee => {
  const layers = weights.map((w, i) => ({
    fanIn: sizes[i]!,
    fanOut: sizes[i + 1]!,
    weights: w,
    bias: biases[i]!,
    activationParameters: {}
  }))
  const shape = { inputs: sizes[0]!, hiddenLayers: sizes.slice(1, -1), classes: sizes[sizes.length - 1]! }
  const model = Mlp.fromWeights(shape, family[activation], { layers }, capabilities.denseLayer)
  const optimizer = new Sgd(model.variables(), model.weightVariables(), { momentum: 0, weightDecay: 0 }, capabilities.sgd.update)
  return { model, optimizer }
}

const context = { training: true, noise: RandomStream.derive(0, "bench/unused-noise") }

/** One step on (x, one-hot y); returns the loss before the update. */
export const trainStep = (trainee: Trainee, x: tf.Tensor2D, y: tf.Tensor2D, learningRate: number): number =>
  trainee.optimizer.step(() => modelCost(trainee.model, x, y, 0, context), learningRate)
