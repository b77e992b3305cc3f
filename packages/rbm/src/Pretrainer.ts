/**
 * The pre-training stage as an Effect service: validate a configuration and
 * the data, then pre-train a stack greedily with the run's random streams
 * on the run's tensor backend, keeping each finished layer in a `LayerStore`
 * when given one (and taking the layers it already holds).
 */
import { Rng } from "@rectifier/core"
import { TensorBackend } from "@rectifier/backend"
import type { CheckpointMismatch, CheckpointUnreadable, CheckpointUnwritable } from "@rectifier/train"
import { Context, Effect, Layer, Schema } from "effect"
import { reconstructionFor } from "./DenoisingAutoencoder.ts"
import type { LayerStore } from "./LayerStore.ts"
import { PretrainConfig, type PretrainConfigInput } from "./PretrainConfig.ts"
import { InvalidPretrainInput, type PretrainDiverged } from "./PretrainError.ts"
import type { Rows } from "./Rows.ts"
import { type PretrainData, type PretrainResult, pretrainStack } from "./Stack.ts"

/** Decodes a configuration, filling defaults; a bad one fails naming the field. */
export const decodePretrainConfig = (input: unknown): Effect.Effect<PretrainConfig, InvalidPretrainInput> =>
  Schema.decodeUnknownEffect(PretrainConfig)(input, { onExcessProperty: "error" }).pipe(
    Effect.mapError((error) => new InvalidPretrainInput({ field: "config", problem: error.message }))
  )

const checkRows = (field: string, rows: Rows, binary: boolean): Effect.Effect<void, InvalidPretrainInput> => {
  const fail = (problem: string) => Effect.fail(new InvalidPretrainInput({ field, problem }))
  if (!Number.isInteger(rows.count) || rows.count < 1) return fail(`has ${rows.count} examples; at least 1 is needed`)
  if (!Number.isInteger(rows.features) || rows.features < 1) return fail(`has ${rows.features} features; at least 1 is needed`)
  if (rows.inputs.length !== rows.count * rows.features) {
    return fail(`holds ${rows.inputs.length} values, expected ${rows.count} x ${rows.features}`)
  }
  for (let i = 0; i < rows.inputs.length; i++) {
    const value = rows.inputs[i]!
    if (!Number.isFinite(value) || (binary && (value < 0 || value > 1))) {
      return fail(`value ${value} at example ${Math.floor(i / rows.features)}, feature ${i % rows.features} is ` +
        (binary ? "outside [0, 1], which binary visible units and cross-entropy reconstructions need" : "not finite"))
    }
  }
  return Effect.void
}

/**
 * The pre-training stage: greedy layer-wise pre-training of an RBM or
 * auto-encoder stack. `Pretrainer.layer` provides it and requires `Rng` (its
 * streams are named `pretrain/layer-N/...`) and `TensorBackend`.
 */
export class Pretrainer extends Context.Service<Pretrainer, {
  /**
   * Pre-trains the hidden layers named by `config` (decoded here, so
   * defaulted fields may be omitted) on `data.train`, monitoring
   * `data.validation` when given. With `store`, its finished layers are
   * taken instead of trained and each new layer is kept there as it finishes.
   */
  readonly pretrain: (
    config: PretrainConfigInput,
    data: PretrainData,
    store?: LayerStore
  ) => Effect.Effect<
    PretrainResult,
    InvalidPretrainInput | PretrainDiverged | CheckpointUnreadable | CheckpointMismatch | CheckpointUnwritable
  >
}>()("@rectifier/rbm/Pretrainer") {
  static readonly layer: Layer.Layer<Pretrainer, never, Rng | TensorBackend> = Layer.effect(
    Pretrainer,
    Effect.gen(function*() {
      const rng = yield* Rng
      const backend = yield* TensorBackend
      return Pretrainer.of({
        pretrain: Effect.fn("Pretrainer.pretrain")(function*(input: PretrainConfigInput, data: PretrainData, store?: LayerStore) {
          const config = yield* decodePretrainConfig(input)
          // Binary visible units and cross-entropy reconstructions need inputs in [0, 1].
          const binary = config.kind === "rbm"
            ? config.visible === "bernoulli"
            : reconstructionFor(config.activation, config.reconstruction) === "sigmoid-cross-entropy"
          yield* checkRows("train data", data.train, binary)
          if (data.validation !== undefined) {
            yield* checkRows("validation data", data.validation, binary)
            if (data.validation.features !== data.train.features) {
              return yield* new InvalidPretrainInput({
                field: "validation data",
                problem: `has ${data.validation.features} features, the training data ${data.train.features}`
              })
            }
          }
          return yield* pretrainStack(config, data, rng.stream, store).pipe(Effect.provideService(TensorBackend, backend))
        })
      })
    })
  )
}
