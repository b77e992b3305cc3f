/**
 * One denoising auto-encoder layer as the paper pre-trains it: inputs
 * corrupted by masking noise (each set to 0 with probability 0.25), encoded
 * by the net's activation, decoded through a softplus output with a
 * quadratic cost (rectifier and softplus nets) or a sigmoid output with
 * cross-entropy (tanh nets), plus an L1 penalty on the hidden activations;
 * tied or untied decoder weights; plain minibatch SGD.
 */
import { type ActivationName, activation, alternatingSigns, initializeWeights } from "@rectifier/activations"
import { TensorBackend } from "@rectifier/backend"
import type { RandomStream } from "@rectifier/core"
import * as tf from "@tensorflow/tfjs-core"
import "@rectifier/backend/gradients"
import { Effect } from "effect"
import type { DaeCodeSigns, DaeReconstruction } from "./PretrainConfig.ts"
import { gatherRows, type Rows, sliceRows } from "./Rows.ts"

/** The decoder output and cost once `auto` is resolved. */
export type DaeOutput = Exclude<DaeReconstruction, "auto">

/** The paper's pairing: sigmoid + cross-entropy for bounded (tanh, sigmoid) encoders, softplus + quadratic otherwise. */
export const reconstructionFor = (name: ActivationName, choice: DaeReconstruction): DaeOutput =>
  choice !== "auto" ? choice : name === "tanh" || name === "sigmoid" ? "sigmoid-cross-entropy" : "softplus-quadratic"

/**
 * The range of the layer's inputs: [0, 1] (pixels, sigmoid codes, or any
 * non-negative code), [-1, 1] (tanh codes), or `alternating` (a
 * sign-alternating rectifier's codes, even units >= 0 and odd ones <= 0). A
 * sigmoid reconstruction of [-1, 1] inputs targets (x + 1) / 2, which keeps
 * the cross-entropy bounded; the output for alternating inputs carries their
 * signs, so it targets s * x, the codes' magnitudes.
 */
export type DaeInputRange = "unit" | "symmetric" | "alternating"

/** The range of codes produced by `name`, as the next layer's input range, with `signs` saying whether the decoder matches a sign-alternating code's signs. */
export const codeRange = (name: ActivationName, signs: DaeCodeSigns): DaeInputRange =>
  name === "tanh" ? "symmetric" : name === "rectifier-alternating" && signs !== "ignored" ? "alternating" : "unit"

/**
 * One auto-encoder layer as plain float32 arrays: the encoder's weights and
 * bias, the decoder's bias and, when untied, its own weights, with the
 * encoder activation, decoder output and input range it was built for.
 */
export interface DaeParameters {
  readonly activation: ActivationName
  readonly output: DaeOutput
  readonly inputRange: DaeInputRange
  readonly input: number
  readonly hidden: number
  /** [input, hidden] row-major. */
  readonly encoderWeights: Float32Array
  readonly encoderBias: Float32Array
  /** [hidden, input] row-major; absent when the decoder uses the encoder's weights transposed. */
  readonly decoderWeights?: Float32Array
  readonly decoderBias: Float32Array
}

/** What `initialDae` builds: its activation, decoder output, input range, hidden units and whether the decoder reuses the encoder's weights; the input width is given apart. */
export interface DaeShape {
  readonly activation: ActivationName
  readonly output: DaeOutput
  readonly inputRange: DaeInputRange
  readonly hidden: number
  readonly tiedWeights: boolean
}

/** Glorot-uniform weights drawn from `stream`, zero biases. */
export const initialDae = (shape: DaeShape, input: number, stream: RandomStream): DaeParameters => {
  const encoderWeights = initializeWeights("glorot-uniform", input, shape.hidden, stream)
  const common = {
    activation: shape.activation,
    output: shape.output,
    inputRange: shape.inputRange,
    input,
    hidden: shape.hidden,
    encoderWeights,
    encoderBias: new Float32Array(shape.hidden),
    decoderBias: new Float32Array(input)
  }
  return shape.tiedWeights
    ? common
    : { ...common, decoderWeights: initializeWeights("glorot-uniform", shape.hidden, input, stream) }
}

/**
 * The plain SGD protocol `trainDae` follows, as a `DaePretrainConfig` states
 * it (see there for meanings and defaults): epochs, one learning rate,
 * minibatch size, masking probability, the L1 weight and the examples
 * monitored each epoch.
 */
export interface DaeTrainingOptions {
  readonly epochs: number
  readonly learningRate: number
  readonly batchSize: number
  readonly maskingNoise: number
  readonly l1Penalty: number
  readonly monitorSize: number
}

/**
 * What one epoch of auto-encoder training measured, a point of the layer's
 * curve: `epoch` counts from 1, the validation error is there only with
 * validation data, and `seconds` is the wall time of the SGD pass alone.
 */
export interface DaeEpoch {
  readonly epoch: number
  /** Mean training objective on corrupted inputs: reconstruction cost plus the L1 term. */
  readonly cost: number
  /** Reconstruction cost (without the L1 term) of clean monitored training examples, per example. */
  readonly reconstructionError: number
  readonly validationReconstructionError?: number
  /** Fraction of hidden activations exactly zero on the monitored training examples. */
  readonly sparsity: number
  readonly seconds: number
}

/** The seeded streams an auto-encoder's training draws from, one per kind of draw: `order` shuffles the training examples each epoch. */
export interface DaeStreams {
  readonly order: RandomStream
  /** The masking noise. */
  readonly noise: RandomStream
  /** Handed to the activation (for stochastic activations). */
  readonly activation: RandomStream
}

/** The trainable tensors in a fixed order: encoder W, encoder b, decoder b, then decoder W if untied. */
type Tensors = ReadonlyArray<tf.Tensor>

const toTensors = (dae: DaeParameters): Array<tf.Tensor> => [
  tf.tensor2d(dae.encoderWeights, [dae.input, dae.hidden]),
  tf.tensor1d(dae.encoderBias),
  tf.tensor1d(dae.decoderBias),
  ...(dae.decoderWeights === undefined ? [] : [tf.tensor2d(dae.decoderWeights, [dae.hidden, dae.input])])
]

const fromTensors = (dae: DaeParameters, tensors: Tensors): DaeParameters => {
  const copy = (t: tf.Tensor) => new Float32Array(t.dataSync())
  const common = {
    ...dae,
    encoderWeights: copy(tensors[0]!),
    encoderBias: copy(tensors[1]!),
    decoderBias: copy(tensors[2]!)
  }
  return tensors[3] === undefined ? common : { ...common, decoderWeights: copy(tensors[3]) }
}

/** A variable (outside tfjs's set of trainable ones) holding `initial`'s values, for the SGD update; `initial` is released. */
const variableOf = (initial: tf.Tensor): tf.Variable => {
  const variable = tf.variable(initial, false)
  initial.dispose()
  return variable
}

const encodeTensor = (dae: DaeParameters, tensors: Tensors, x: tf.Tensor2D, context: { training: boolean; noise: RandomStream }) =>
  activation(dae.activation).apply(
    tf.add(tf.matMul(x, tensors[0] as tf.Tensor2D), tensors[1]!) as tf.Tensor2D,
    [],
    context
  )

/** Per-example reconstruction cost [batch] of the clean input `x` from the decoder input `z`. */
const reconstructionCost = (dae: DaeParameters, z: tf.Tensor2D, x: tf.Tensor2D): tf.Tensor1D => {
  // With s = ±1, (s f(z) - x)^2 = (f(z) - s x)^2: the output's signs go on the target (the cross-entropy is taken against s x).
  const unsigned = dae.inputRange === "alternating" ? tf.mul(x, alternatingSigns(dae.input)) : x
  if (dae.output === "softplus-quadratic") return tf.sum(tf.square(tf.sub(tf.softplus(z), unsigned)), 1)
  const target = dae.inputRange === "symmetric" ? tf.mul(tf.add(x, 1), 0.5) : unsigned
  // -t log sigmoid(z) - (1 - t) log(1 - sigmoid(z)) = softplus(z) - t z, stable for any z.
  return tf.sum(tf.sub(tf.softplus(z), tf.mul(target, z)), 1)
}

/** The decoder's input: h times the decoder weights (the encoder's, transposed, when tied) plus its bias. */
const decode = (tensors: Tensors, h: tf.Tensor2D): tf.Tensor2D => {
  const product = tensors[3] === undefined
    ? tf.matMul(h, tensors[0] as tf.Tensor2D, false, true)
    : tf.matMul(h, tensors[3] as tf.Tensor2D)
  return tf.add(product, tensors[2]!)
}

const maskFor = (stream: RandomStream, rows: number, columns: number, noise: number): tf.Tensor2D => {
  const mask = new Float32Array(rows * columns)
  for (let i = 0; i < mask.length; i++) mask[i] = stream.uniform() < noise ? 0 : 1
  return tf.tensor2d(mask, [rows, columns])
}

const CHUNK = 1000

/** Clean reconstruction cost per example and the fraction of exact-zero hidden activations. */
const evaluate = (dae: DaeParameters, tensors: Tensors, rows: Rows, noise: RandomStream) => {
  let cost = 0
  let zeros = 0
  for (let start = 0; start < rows.count; start += CHUNK) {
    const chunk = sliceRows(rows, start, Math.min(rows.count, start + CHUNK))
    const [c, z] = tf.tidy(() => {
      const x = tf.tensor2d(chunk.inputs, [chunk.count, chunk.features])
      const h = encodeTensor(dae, tensors, x, { training: false, noise })
      return [
        tf.sum(reconstructionCost(dae, decode(tensors, h), x)).dataSync()[0]!,
        tf.sum(tf.cast(tf.equal(h, 0), "float32")).dataSync()[0]!
      ]
    })
    cost += c
    zeros += z
  }
  return { cost: cost / rows.count, sparsity: zeros / (rows.count * dae.hidden) }
}

/** The encoder's output on clean rows: the next layer's input. */
export const encodeRows = (dae: DaeParameters, rows: Rows, noise: RandomStream): Rows => {
  const tensors = toTensors(dae)
  const out = new Float32Array(rows.count * dae.hidden)
  for (let start = 0; start < rows.count; start += CHUNK) {
    const chunk = sliceRows(rows, start, Math.min(rows.count, start + CHUNK))
    // The tensor, not its values, leaves tidy: tidy would walk a returned typed array element by element.
    const codes = tf.tidy(() =>
      encodeTensor(dae, tensors, tf.tensor2d(chunk.inputs, [chunk.count, chunk.features]), { training: false, noise })
    )
    out.set(codes.dataSync(), start * dae.hidden)
    codes.dispose()
  }
  tf.dispose(tensors)
  return { inputs: out, count: rows.count, features: dae.hidden }
}

/** Trains `initial` by SGD (the held tensor backend's update) on corrupted `train` rows, logging each epoch. */
export const trainDae = (
  initial: DaeParameters,
  options: DaeTrainingOptions,
  train: Rows,
  validation: Rows | undefined,
  streams: DaeStreams,
  label = "dae"
): Effect.Effect<{ readonly dae: DaeParameters; readonly curve: ReadonlyArray<DaeEpoch> }, never, TensorBackend> =>
  TensorBackend.use(({ capabilities }) => Effect.acquireUseRelease(
    Effect.sync(() => ({ tensors: toTensors(initial).map((t) => variableOf(t)) })),
    (state) =>
      Effect.gen(function*() {
        const curve: Array<DaeEpoch> = []
        const batchSize = Math.min(options.batchSize, train.count)
        const trainSubset = sliceRows(train, 0, Math.min(train.count, options.monitorSize))
        const validationSubset = validation === undefined
          ? undefined
          : sliceRows(validation, 0, Math.min(validation.count, options.monitorSize))
        const context = { training: true, noise: streams.activation }
        const update = { learningRate: options.learningRate, momentum: 0, weightDecay: 0 }
        for (let epoch = 0; epoch < options.epochs; epoch++) {
          const record = yield* Effect.sync((): DaeEpoch => {
            const started = performance.now()
            const order = streams.order.permutation(train.count)
            let cost = 0
            for (let start = 0; start < train.count; start += batchSize) {
              const end = Math.min(train.count, start + batchSize)
              const rows = end - start
              const next = tf.tidy(() => {
                const clean = tf.tensor2d(gatherRows(train, order, start, end), [rows, train.features])
                const corrupted = tf.mul(clean, maskFor(streams.noise, rows, train.features, options.maskingNoise))
                const objective = (...parameters: Array<tf.Tensor>): tf.Scalar => {
                  const h = encodeTensor(initial, parameters, corrupted as tf.Tensor2D, context)
                  const perExample = tf.add(
                    reconstructionCost(initial, decode(parameters, h), clean),
                    tf.mul(tf.sum(tf.abs(h), 1), options.l1Penalty)
                  )
                  return tf.mean(perExample)
                }
                const { grads, value } = tf.valueAndGrads(objective)(state.tensors)
                state.tensors.forEach((p, i) => capabilities.sgd.update(p, grads[i]!, update))
                return tf.mul(value, rows)
              })
              cost += next.dataSync()[0]!
              next.dispose()
            }
            const seconds = (performance.now() - started) / 1000
            const onTrain = evaluate(initial, state.tensors, trainSubset, streams.activation)
            const onValidation = validationSubset === undefined
              ? undefined
              : evaluate(initial, state.tensors, validationSubset, streams.activation)
            return {
              epoch: epoch + 1,
              cost: cost / train.count,
              reconstructionError: onTrain.cost,
              ...(onValidation === undefined ? {} : { validationReconstructionError: onValidation.cost }),
              sparsity: onTrain.sparsity,
              seconds
            }
          })
          curve.push(record)
          yield* Effect.logInfo(
            `${label} epoch ${record.epoch}/${options.epochs}: cost ${record.cost.toFixed(4)}, ` +
              `reconstruction error ${record.reconstructionError.toFixed(4)}` +
              (record.validationReconstructionError === undefined
                ? ""
                : ` / validation ${record.validationReconstructionError.toFixed(4)}`) +
              `, sparsity ${(100 * record.sparsity).toFixed(1)}% (${(train.count / record.seconds).toFixed(0)} examples/s)`
          )
          // Diverged: NaN weights stay NaN, so further epochs would only repeat this one's curve point.
          if (!Number.isFinite(record.cost) && !Number.isFinite(record.reconstructionError)) break
        }
        return { dae: fromTensors(initial, state.tensors), curve }
      }),
    (state) => Effect.sync(() => tf.dispose(state.tensors))
  ))
