/**
 * `bench train --weights`: the step measured from a trained net rather than
 * from fresh weights, since a trained rectifier net is far sparser (and a
 * sparsity-aware step is judged there). The path is a run folder (the
 * latest checkpoint of its one learning rate, read and checked by the
 * train package's checkpoint store: the weights at its last finished epoch)
 * or a weights base (`<base>.json` + `<base>.bin`, e.g. a checkpoint's
 * `best`). The activation comes from the run's `config.json` (the run
 * folder's, or the nearest one above a weights base within a checkpoint's
 * depth; none: the rectifier),
 * so that the hidden layers keep the zeros they were trained to have.
 */
import { checkpointStore, type ModelWeights, readWeights } from "@rectifier/train"
import { Effect, FileSystem, Option, Path, Schema } from "effect"
import { layerSizes, StepActivation } from "./Workload.ts"

/** A `--weights` path that gives no usable start, and why. */
export class WeightsUnusable extends Schema.TaggedError<WeightsUnusable>()("WeightsUnusable", {
  path: Schema.String,
  problem: Schema.String
}) {
  override get message(): string {
    return `--weights ${this.path}: ${this.problem}`
  }
}

/** Trained weights to start the step from, the activation they were trained with, and where they came from. */
export interface TrainedStart {
  readonly weights: ModelWeights
  readonly activation: StepActivation
  /** The weights base or checkpoint the weights were read from. */
  readonly source: string
}

/** The one field of a run's config.json this needs: the hidden layers' activation. */
const RunStart = Schema.Struct({ config: Schema.Struct({ training: Schema.Struct({ activation: Schema.String }) }) })
const decodeStart = Schema.decodeUnknownEffect(Schema.fromJsonString(RunStart))
const isStepActivation = Schema.is(StepActivation)

/** How far above a weights base its run folder can be: `<run>/checkpoint/lr-<rate>/epoch-NNNN/<base>`. */
const RUN_DEPTH = 4

/** The activation of the run whose config.json is in `folder` or in one of the folders above it up to a run's depth; the rectifier where none is. */
const activationAbove = Effect.fnUntraced(function*(path: string, folder: string) {
  const fs = yield* FileSystem.FileSystem
  const paths = yield* Path.Path
  for (let at = folder, depth = 0; depth < RUN_DEPTH; at = paths.dirname(at), depth++) {
    const file = paths.join(at, "config.json")
    if (yield* fs.exists(file).pipe(Effect.orElseSucceed(() => false))) {
      const start = yield* fs.readFileString(file).pipe(
        Effect.flatMap(decodeStart),
        Effect.mapError((error) => new WeightsUnusable({ path, problem: `${file} is not a run's config.json (${error.message})` }))
      )
      const activation = start.config.training.activation
      if (isStepActivation(activation)) return activation
      return yield* new WeightsUnusable({
        path,
        problem: `${file} trains with ${activation}; the bench's step has ${StepActivation.literals.join(" and ")}`
      })
    }
  }
  return "rectifier" as StepActivation
})

/** The latest checkpoint of the run folder `run`, which must hold exactly one learning rate's. */
const fromRunFolder = Effect.fnUntraced(function*(run: string) {
  const fs = yield* FileSystem.FileSystem
  const paths = yield* Path.Path
  const folder = paths.join(run, "checkpoint")
  const rates = (yield* fs.readDirectory(folder).pipe(Effect.orElseSucceed(() => [] as Array<string>)))
    .filter((name) => name.startsWith("lr-"))
    .sort()
  if (rates.length !== 1) {
    return yield* new WeightsUnusable({
      path: run,
      problem: rates.length === 0
        ? `is neither a weights base (${run}.json + ${run}.bin) nor a run folder with checkpoints (${folder}/lr-<rate>/)`
        : `holds checkpoints of ${rates.length} learning rates (${rates.join(", ")}); name one's weights: ` +
          `${folder}/${rates[0]}/epoch-NNNN/weights`
    })
  }
  const rate = Number(rates[0]!.slice("lr-".length))
  const store = yield* checkpointStore(folder)
  const checkpoint = yield* store.load(rate).pipe(Effect.mapError((error) => new WeightsUnusable({ path: run, problem: error.message })))
  if (Option.isNone(checkpoint)) {
    return yield* new WeightsUnusable({ path: run, problem: `${folder}/${rates[0]} has no finished checkpoint (latest.json)` })
  }
  return { weights: checkpoint.value.weights, source: `${folder}/${rates[0]}, epoch ${checkpoint.value.epoch}` }
})

/** The trained start `path` names (a weights base or a run folder), checked against the bench's 784-1000-1000-1000-10 net. */
export const loadTrainedStart = Effect.fn("Bench.loadTrainedStart")(function*(path: string) {
  const fs = yield* FileSystem.FileSystem
  const paths = yield* Path.Path
  const isBase = yield* fs.exists(`${path}.json`).pipe(Effect.orElseSucceed(() => false))
  const { weights, source } = isBase
    ? {
      weights: yield* readWeights(path).pipe(Effect.mapError((error) => new WeightsUnusable({ path, problem: error.message }))),
      source: path
    }
    : yield* fromRunFolder(path)
  const shape = [weights.layers[0]?.fanIn ?? 0, ...weights.layers.map((layer) => layer.fanOut)]
  if (shape.join("-") !== layerSizes.join("-")) {
    return yield* new WeightsUnusable({ path, problem: `is a ${shape.join("-")} net; the bench trains ${layerSizes.join("-")}` })
  }
  const parameters = weights.layers.flatMap((layer) => Object.keys(layer.activationParameters))
  if (parameters.length > 0) {
    return yield* new WeightsUnusable({ path, problem: `has learned activation parameters (${parameters.join(", ")}); the bench's step has none` })
  }
  const activation = yield* activationAbove(path, isBase ? paths.dirname(path) : path)
  const start: TrainedStart = { weights, activation, source }
  return start
})
