/**
 * Minibatch SGD with optional classical momentum and L2 weight decay, whose
 * whole state (the velocity buffers) can be read out and restored, so a
 * resumed run continues bit for bit. Weight decay applies to the weight
 * matrices and kernels, not to biases or activation parameters. Each update
 * is the tensor backend's own (`TensorBackend`'s `capabilities.sgd`): in
 * place, with the weight gradients folded into the update, on the native
 * backend; the functional tfjs update elsewhere.
 */
import type { SgdUpdate } from "@rectifier/backend"
import * as tf from "@tensorflow/tfjs-core"

/** The classical momentum coefficient and the L2 weight decay (on the decayed variables only); 0 turns either off. */
export interface SgdOptions {
  readonly momentum: number
  readonly weightDecay: number
}

/**
 * The optimiser of one model's variables. With momentum it holds one
 * velocity buffer (a tfjs variable) per variable, released by `dispose`.
 */
export class Sgd {
  private readonly variables: ReadonlyArray<tf.Variable>
  private readonly decayed: ReadonlySet<tf.Variable>
  private readonly options: SgdOptions
  private readonly velocity: ReadonlyArray<tf.Variable> | undefined
  private readonly update: SgdUpdate

  /** `update` is the backend's SGD update (`capabilities.sgd.update` of `TensorBackend`). */
  constructor(
    variables: ReadonlyArray<tf.Variable>,
    decayed: ReadonlyArray<tf.Variable>,
    options: SgdOptions,
    update: SgdUpdate
  ) {
    this.variables = variables
    this.update = update
    this.decayed = new Set(decayed)
    this.options = options
    this.velocity = options.momentum > 0
      ? variables.map((v) => {
        const zeros = tf.zerosLike(v)
        const velocity = tf.variable(zeros, false)
        zeros.dispose()
        return velocity
      })
      : undefined
  }

  /** One update from the gradient of `cost`; returns the cost's value before the update. */
  step(cost: () => tf.Scalar, learningRate: number): number {
    return tf.tidy(() => {
      const { grads, value } = tf.variableGrads(cost, this.variables as Array<tf.Variable>)
      const { momentum, weightDecay } = this.options
      this.variables.forEach((variable, i) => {
        const settings = { learningRate, momentum, weightDecay: this.decayed.has(variable) ? weightDecay : 0 }
        this.update(variable, grads[variable.name]!, settings, this.velocity?.[i])
      })
      return value.dataSync()[0]!
    })
  }

  /** Copies of the velocity buffers, in the variables' order; undefined without momentum. */
  state(): ReadonlyArray<Float32Array> | undefined {
    return this.velocity?.map((v) => (v.dataSync() as Float32Array).slice())
  }

  /** Overwrites the velocity buffers with `state`, as `state()` read them out; does nothing without momentum. */
  restoreState(state: ReadonlyArray<Float32Array>): void {
    if (this.velocity === undefined) return
    tf.tidy(() => this.velocity!.forEach((v, i) => v.assign(tf.tensor(state[i]!, v.shape))))
  }

  /** Releases the velocity buffers. */
  dispose(): void {
    for (const v of this.velocity ?? []) v.dispose()
  }
}
