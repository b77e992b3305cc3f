/**
 * Greedy layer-wise pre-training: the bottom layer is trained on the data,
 * each next one on the layer below's representation of it (hidden
 * probabilities, or max(0, x) for rectified units, for RBMs; the clean
 * encoder output for auto-encoders). The result is the MLP's hidden layers
 * as `ModelWeights`, plus each layer's full parameters and training curve.
 * Auto-encoders given several learning rates train each layer once per rate
 * and keep the lowest reconstruction error (the paper's selection). With a
 * `LayerStore`, each layer is kept there as it finishes, and the layers
 * already there are taken instead of trained: their representation of the
 * data (with the stream state that made it, for auto-encoders) feeds the next
 * layer exactly as in an uninterrupted pre-training.
 */
import type { ActivationName } from "@rectifier/activations"
import { RandomStream } from "@rectifier/core"
import type { DenseWeights, ModelWeights } from "@rectifier/train"
import { Effect } from "effect"
import { hiddenRows } from "./ContrastiveDivergence.ts"
import {
  codeRange,
  type DaeEpoch,
  type DaeInputRange,
  type DaeParameters,
  encodeRows,
  initialDae,
  reconstructionFor,
  trainDae
} from "./DenoisingAutoencoder.ts"
import type { FinishedLayer, LayerStore } from "./LayerStore.ts"
import type { DaePretrainConfig, PretrainConfig, RbmPretrainConfig } from "./PretrainConfig.ts"
import { PretrainDiverged } from "./PretrainError.ts"
import { initialRbm, type RbmParameters, type VisibleUnits } from "./Rbm.ts"
import type { Rows } from "./Rows.ts"
import { type RbmEpoch, trainRbm } from "./TrainRbm.ts"

/** The unlabelled examples a pre-training learns from: training rows, and validation rows of the same width if any. */
export interface PretrainData {
  readonly train: Rows
  /** Monitored beside the training data (free energy, reconstruction error); optional. */
  readonly validation?: Rows | undefined
}

/** One learning rate a layer's selection tried: its final reconstruction errors and whether it was kept. */
export interface DaeCandidate {
  readonly learningRate: number
  /** Absent when it was not finite (the candidate diverged). */
  readonly reconstructionError?: number
  readonly validationReconstructionError?: number
  readonly kept: boolean
}

/** One trained layer of the stack with its per-epoch curve: an RBM, or an auto-encoder with the learning rate it kept. */
export type PretrainedLayer =
  | { readonly kind: "rbm"; readonly rbm: RbmParameters; readonly curve: ReadonlyArray<RbmEpoch> }
  | {
    readonly kind: "dae"
    readonly dae: DaeParameters
    readonly curve: ReadonlyArray<DaeEpoch>
    readonly learningRate: number
    /** Present when the layer's rate was selected from several. */
    readonly candidates?: ReadonlyArray<DaeCandidate>
  }

/**
 * What a pre-training returns: its decoded configuration, the hidden layers
 * as `ModelWeights` for the trainer, the activation they were trained for,
 * and every layer in full, bottom first.
 */
export interface PretrainResult {
  readonly config: PretrainConfig
  /** The hidden layers, bottom first, ready to initialise the trainer's MLP. */
  readonly weights: ModelWeights
  /** The hidden activation the weights were trained for (sigmoid for binary RBMs, rectifier for NReLU ones). */
  readonly activation: ActivationName
  readonly layers: ReadonlyArray<PretrainedLayer>
}

/** A named, independent random stream. */
export type Streams = (name: string) => RandomStream

const dense = (fanIn: number, fanOut: number, weights: Float32Array, bias: Float32Array): DenseWeights => ({
  fanIn,
  fanOut,
  weights,
  bias,
  activationParameters: {}
})

const rbmStack = Effect.fnUntraced(function*(
  config: RbmPretrainConfig,
  data: PretrainData,
  streams: Streams,
  done: ReadonlyArray<FinishedLayer>,
  store: LayerStore | undefined
) {
  const layers: Array<PretrainedLayer> = []
  let train = data.train
  let validation = data.validation
  let visibleUnits: VisibleUnits = config.visible
  for (const [index, hidden] of config.hiddenSizes.entries()) {
    const name = `pretrain/layer-${index + 1}`
    const kept = done[index]?.layer
    const { curve, rbm } = kept?.kind === "rbm" ? kept : yield* trainRbm(
      initialRbm(
        { visibleUnits, hiddenUnits: config.hidden, hidden, initialStd: config.initialStd },
        train,
        streams(`${name}/init`)
      ),
      config,
      train,
      validation,
      { order: streams(`${name}/order`), sampling: streams(`${name}/sampling`), monitor: streams(`${name}/monitor`) },
      `rbm ${index + 1} (${train.features}-${hidden})`
    )
    if (kept === undefined && store !== undefined) yield* store.save(index, { layer: { kind: "rbm", rbm, curve } })
    layers.push({ kind: "rbm", rbm, curve })
    if (index + 1 < config.hiddenSizes.length) {
      train = hiddenRows(rbm, train)
      validation = validation === undefined ? undefined : hiddenRows(rbm, validation)
      // Probabilities feed binary units; rectified values are real-valued.
      visibleUnits = config.hidden === "bernoulli" ? "bernoulli" : "gaussian"
    }
  }
  return layers
})

/**
 * The activation an auto-encoder of the stack encodes and decodes with: under `codeSigns:
 * "magnitudes"` a sign-alternating stack's layers are plain rectifiers (the decoder reads the
 * code's magnitudes) and `signedCodes` gives the codes passed up their signs; otherwise the stack's own.
 */
const encoderActivation = (config: DaePretrainConfig): ActivationName =>
  config.activation === "rectifier-alternating" && config.codeSigns === "magnitudes" ? "rectifier" : config.activation

/** Rows of rectifier codes with their odd units negated: the sign-alternating rectifier's output, bit for bit (a product by -1 is exact). */
const signedCodes = (rows: Rows): Rows => {
  const inputs = rows.inputs
  for (let i = 1; i < inputs.length; i += 2) inputs[i] = -inputs[i]!
  return rows
}

/** One auto-encoder layer trained (once per learning rate, keeping the best), and its kept activation stream. */
const trainDaeLayer = Effect.fnUntraced(function*(
  config: DaePretrainConfig,
  index: number,
  hidden: number,
  train: Rows,
  validation: Rows | undefined,
  inputRange: DaeInputRange,
  streams: Streams
) {
  const name = `pretrain/layer-${index + 1}`
  const output = reconstructionFor(config.activation, config.reconstruction)
  const initial = initialDae(
    { activation: encoderActivation(config), output, inputRange, hidden, tiedWeights: config.tiedWeights },
    train.features,
    streams(`${name}/init`)
  )
  const rates = config.layerLearningRates !== undefined
    ? [config.layerLearningRates[index] ?? config.layerLearningRates[config.layerLearningRates.length - 1]!]
    : config.learningRates ?? [config.learningRate]
  // Every candidate starts from the same weights and streams, so the selection does not depend on their order.
  const trained = []
  for (const learningRate of rates) {
    const activation = streams(`${name}/activation`)
    const run = yield* trainDae(
      initial,
      { ...config, learningRate },
      train,
      validation,
      { order: streams(`${name}/order`), noise: streams(`${name}/noise`), activation },
      `dae ${index + 1} (${train.features}-${hidden}), learning rate ${learningRate}`
    )
    trained.push({ learningRate, activation, ...run })
  }
  const finalError = (curve: ReadonlyArray<DaeEpoch>) => {
    const last = curve[curve.length - 1]
    const error = last?.validationReconstructionError ?? last?.reconstructionError ?? Number.NaN
    // A diverged candidate (NaN or infinite error) ranks last.
    return Number.isFinite(error) ? error : Infinity
  }
  const kept = trained.reduce((best, run) => (finalError(run.curve) < finalError(best.curve) ? run : best))
  if (finalError(kept.curve) === Infinity) {
    return yield* new PretrainDiverged({
      layer: index + 1,
      learningRates: trained.map((run) => run.learningRate),
      epochs: trained.map((run) => (run.curve.find((epoch) => !Number.isFinite(epoch.reconstructionError))?.epoch ?? run.curve.length))
    })
  }
  // The kept candidate's activation stream, in its state after training, goes on to encode the next layer's inputs.
  const { activation: activationStream, curve, dae, learningRate } = kept
  const candidates = trained.map((run): DaeCandidate => {
    const last = run.curve[run.curve.length - 1]
    const finite = (value: number | undefined) => value !== undefined && Number.isFinite(value)
    return {
      learningRate: run.learningRate,
      ...(finite(last?.reconstructionError) ? { reconstructionError: last!.reconstructionError } : {}),
      ...(finite(last?.validationReconstructionError)
        ? { validationReconstructionError: last!.validationReconstructionError! }
        : {}),
      kept: run === kept
    }
  })
  const layer: Extract<PretrainedLayer, { readonly kind: "dae" }> = {
    kind: "dae",
    dae,
    curve,
    learningRate,
    ...(rates.length > 1 ? { candidates } : {})
  }
  return { layer, activationState: activationStream.state() }
})

const daeStack = Effect.fnUntraced(function*(
  config: DaePretrainConfig,
  data: PretrainData,
  streams: Streams,
  done: ReadonlyArray<FinishedLayer>,
  store: LayerStore | undefined
) {
  const layers: Array<PretrainedLayer> = []
  let train = data.train
  let validation = data.validation
  // The data are in [0, 1]; upper layers see the codes of the layer below.
  let inputRange: DaeInputRange = "unit"
  for (const [index, hidden] of config.hiddenSizes.entries()) {
    const kept = done[index]
    const finished = kept !== undefined && "activationState" in kept
      ? kept
      : yield* trainDaeLayer(config, index, hidden, train, validation, inputRange, streams)
    if (finished !== kept && store !== undefined) yield* store.save(index, finished)
    layers.push(finished.layer)
    if (index + 1 < config.hiddenSizes.length) {
      // The kept candidate's activation stream, as it stood after training, encodes the next layer's inputs.
      const activationStream = RandomStream.fromState(finished.activationState)
      // Magnitude-decoding layers are plain rectifiers: the layer above sees their codes signed, as the fine-tuned net computes them.
      const passUp = (rows: Rows) => {
        const codes = encodeRows(finished.layer.dae, rows, activationStream)
        return encoderActivation(config) === config.activation ? codes : signedCodes(codes)
      }
      train = passUp(train)
      validation = validation === undefined ? undefined : passUp(validation)
      inputRange = codeRange(config.activation, config.codeSigns ?? "ignored")
    }
  }
  return layers
})

/**
 * Pre-trains every hidden layer of `config` in turn, taking the finished
 * layers `store` holds and keeping each new one there. Run under a tensor backend.
 */
export const pretrainStack = Effect.fnUntraced(function*(
  config: PretrainConfig,
  data: PretrainData,
  streams: Streams,
  store?: LayerStore
) {
  const done = store === undefined ? [] : yield* store.load
  const layers = config.kind === "rbm"
    ? yield* rbmStack(config, data, streams, done, store)
    : yield* daeStack(config, data, streams, done, store)
  const weights: ModelWeights = {
    layers: layers.map((layer) =>
      layer.kind === "rbm"
        ? dense(layer.rbm.visible, layer.rbm.hidden, layer.rbm.weights, layer.rbm.hiddenBias)
        : dense(layer.dae.input, layer.dae.hidden, layer.dae.encoderWeights, layer.dae.encoderBias)
    )
  }
  const activation: ActivationName = config.kind === "dae"
    ? config.activation
    : config.hidden === "bernoulli"
    ? "sigmoid"
    : "rectifier"
  const result: PretrainResult = { config, weights, activation, layers }
  return result
})
