/**
 * The finished layers of a pre-training, kept as each one completes so that a
 * killed run continues from the next layer instead of pre-training again.
 * `<folder>/layer-N/` holds the layer's arrays (`parameters.json` + `.bin`, the
 * weights format) and then `state.json`, written last and atomically (a layer
 * folder without it is not finished): the layer's curve, learning rate and
 * candidates, the state of the random stream that encodes the next layer's
 * inputs (auto-encoders), and, as checkpoints have, the hash of the run's
 * configuration and the SHA-256 of the arrays' files. Loading checks both:
 * another configuration fails with `CheckpointMismatch`, a changed file with
 * `CheckpointUnreadable` naming it.
 */
import { ActivationName } from "@rectifier/activations"
import { describeError, StreamState, writeFileAtomic } from "@rectifier/core"
import {
  CheckpointMismatch,
  CheckpointUnreadable,
  CheckpointUnwritable,
  type DenseWeights,
  readWeights,
  writeWeights
} from "@rectifier/train"
import { Effect, FileSystem, Path, Schema } from "effect"
import type { DaeEpoch } from "./DenoisingAutoencoder.ts"
import { HiddenUnits, VisibleUnits } from "./Rbm.ts"
import type { PretrainedLayer } from "./Stack.ts"
import type { RbmEpoch } from "./TrainRbm.ts"

/**
 * A finished layer, and what the layers above it need beyond its parameters:
 * for an auto-encoder, the state of the kept candidate's activation stream
 * after training, which encodes the next layer's inputs.
 */
export type FinishedLayer =
  | { readonly layer: Extract<PretrainedLayer, { readonly kind: "rbm" }> }
  | { readonly layer: Extract<PretrainedLayer, { readonly kind: "dae" }>; readonly activationState: StreamState }

/** What binds a store's layers to one run (as checkpoints are bound). */
export interface LayerProvenance {
  /** The hash of the run's resolved configuration. */
  readonly configHash: string
  /** Where that configuration lives (named in errors): the run's config.json. */
  readonly source: string
}

/**
 * Where a pre-training keeps its finished layers and finds them again when
 * it resumes; `layerStore` makes one on disk, bound to a run by its
 * `LayerProvenance`.
 */
export interface LayerStore {
  /** The finished layers, bottom first, up to the first one that is not. */
  readonly load: Effect.Effect<ReadonlyArray<FinishedLayer>, CheckpointUnreadable | CheckpointMismatch>
  /** Keeps layer `index` (from 0), whole, once it has finished. */
  readonly save: (index: number, finished: FinishedLayer) => Effect.Effect<void, CheckpointUnwritable>
}

// A curve's epochs keep every field they had, non-finite values included (the JSON codec writes them as strings).
const Curve = Schema.Array(Schema.Record(Schema.String, Schema.Number))
const Candidate = Schema.Struct({
  learningRate: Schema.Number,
  reconstructionError: Schema.optionalKey(Schema.Number),
  validationReconstructionError: Schema.optionalKey(Schema.Number),
  kept: Schema.Boolean
})
const LayerState = Schema.Struct({
  format: Schema.Literal("rectifier-pretrained-layer/1"),
  config: Schema.String,
  files: Schema.Struct({ manifest: Schema.String, data: Schema.String }),
  layer: Schema.Union([
    Schema.Struct({ kind: Schema.Literal("rbm"), visibleUnits: VisibleUnits, hiddenUnits: HiddenUnits, curve: Curve }),
    Schema.Struct({
      kind: Schema.Literal("dae"),
      activation: ActivationName,
      output: Schema.Literals(["softplus-quadratic", "sigmoid-cross-entropy"]),
      inputRange: Schema.Literals(["unit", "symmetric", "alternating"]),
      learningRate: Schema.Number,
      candidates: Schema.optionalKey(Schema.Array(Candidate)),
      activationState: StreamState,
      curve: Curve
    })
  ])
})
const codec = Schema.fromJsonString(Schema.toCodecJson(LayerState))
const encodeState = Schema.encodeEffect(codec)
const decodeState = Schema.decodeUnknownEffect(codec)

/** A curve's epochs as plain records of numbers. */
const toCurve = (curve: ReadonlyArray<DaeEpoch> | ReadonlyArray<RbmEpoch>): typeof Curve.Type =>
  curve.map((epoch) => ({ ...epoch }))

/** A layer's arrays as one dense layer of the weights format: the encoder (or RBM weights) and the rest beside it. */
const arraysOf = (layer: PretrainedLayer): DenseWeights =>
  layer.kind === "rbm"
    ? {
      fanIn: layer.rbm.visible,
      fanOut: layer.rbm.hidden,
      weights: layer.rbm.weights,
      bias: layer.rbm.hiddenBias,
      activationParameters: { visibleBias: layer.rbm.visibleBias }
    }
    : {
      fanIn: layer.dae.input,
      fanOut: layer.dae.hidden,
      weights: layer.dae.encoderWeights,
      bias: layer.dae.encoderBias,
      activationParameters: {
        decoderBias: layer.dae.decoderBias,
        ...(layer.dae.decoderWeights === undefined ? {} : { decoderWeights: layer.dae.decoderWeights })
      }
    }

/** A store of finished layers under `folder`. */
export const layerStore = (
  folder: string,
  provenance: LayerProvenance
): Effect.Effect<LayerStore, never, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const provide = <A, E>(effect: Effect.Effect<A, E, FileSystem.FileSystem | Path.Path>) =>
      effect.pipe(Effect.provideService(FileSystem.FileSystem, fs), Effect.provideService(Path.Path, path))
    const layerFolder = (index: number) => path.join(folder, `layer-${index + 1}`)

    const loadOne = (index: number) =>
      Effect.gen(function*() {
        const stateFile = path.join(layerFolder(index), "state.json")
        if (!(yield* fs.exists(stateFile).pipe(Effect.orElseSucceed(() => false)))) return undefined
        const state = yield* fs.readFileString(stateFile).pipe(
          Effect.flatMap(decodeState),
          Effect.mapError((error) => new CheckpointUnreadable({ path: stateFile, problem: describeError(error) }))
        )
        if (state.config !== provenance.configHash) {
          return yield* new CheckpointMismatch({
            path: stateFile,
            source: provenance.source,
            value: state.config,
            limit: provenance.configHash
          })
        }
        const weights = yield* readWeights(path.join(layerFolder(index), "parameters"), state.files).pipe(
          Effect.mapError((error) => new CheckpointUnreadable({ path: error.file, problem: error.problem }))
        )
        const arrays = weights.layers[0]!
        const extra = (name: string) => arrays.activationParameters[name]
        const missing = (name: string) =>
          new CheckpointUnreadable({ path: path.join(layerFolder(index), "parameters.json"), problem: `holds no ${name}` })
        const { layer } = state
        if (layer.kind === "rbm") {
          const visibleBias = extra("visibleBias")
          if (visibleBias === undefined) return yield* missing("visibleBias")
          const finished: FinishedLayer = {
            layer: {
              kind: "rbm",
              rbm: {
                visibleUnits: layer.visibleUnits,
                hiddenUnits: layer.hiddenUnits,
                visible: arrays.fanIn,
                hidden: arrays.fanOut,
                weights: arrays.weights,
                visibleBias,
                hiddenBias: arrays.bias
              },
              // The curve as it was written: every field of each epoch, as `trainRbm` made it.
              curve: layer.curve as unknown as ReadonlyArray<RbmEpoch>
            }
          }
          return finished
        }
        const decoderBias = extra("decoderBias")
        if (decoderBias === undefined) return yield* missing("decoderBias")
        const decoderWeights = extra("decoderWeights")
        const finished: FinishedLayer = {
          layer: {
            kind: "dae",
            dae: {
              activation: layer.activation,
              output: layer.output,
              inputRange: layer.inputRange,
              input: arrays.fanIn,
              hidden: arrays.fanOut,
              encoderWeights: arrays.weights,
              encoderBias: arrays.bias,
              ...(decoderWeights === undefined ? {} : { decoderWeights }),
              decoderBias
            },
            curve: layer.curve as unknown as ReadonlyArray<DaeEpoch>,
            learningRate: layer.learningRate,
            ...(layer.candidates === undefined ? {} : { candidates: layer.candidates })
          },
          activationState: layer.activationState
        }
        return finished
      })

    const load = provide(Effect.gen(function*() {
      const layers: Array<FinishedLayer> = []
      for (let index = 0;; index++) {
        const finished = yield* loadOne(index)
        if (finished === undefined) return layers
        layers.push(finished)
      }
    }))

    const save = (index: number, finished: FinishedLayer) =>
      provide(Effect.gen(function*() {
        const files = yield* writeWeights(path.join(layerFolder(index), "parameters"), { layers: [arraysOf(finished.layer)] })
        const { layer } = finished
        const described: typeof LayerState.Type["layer"] = "activationState" in finished
          ? {
            kind: "dae",
            activation: finished.layer.dae.activation,
            output: finished.layer.dae.output,
            inputRange: finished.layer.dae.inputRange,
            learningRate: finished.layer.learningRate,
            ...(finished.layer.candidates === undefined ? {} : { candidates: finished.layer.candidates }),
            activationState: finished.activationState,
            curve: toCurve(layer.curve)
          }
          : { kind: "rbm", visibleUnits: finished.layer.rbm.visibleUnits, hiddenUnits: finished.layer.rbm.hiddenUnits, curve: toCurve(layer.curve) }
        const state = yield* encodeState({ format: "rectifier-pretrained-layer/1", config: provenance.configHash, files, layer: described })
        yield* writeFileAtomic(path.join(layerFolder(index), "state.json"), state + "\n")
      })).pipe(Effect.mapError((error) => new CheckpointUnwritable({ path: layerFolder(index), problem: describeError(error) })))

    return { load, save }
  })
