/**
 * Checkpoints of a training run, one folder per learning rate tried:
 * `<folder>/lr-<rate>/epoch-NNNN/` holds the weights, the best-so-far
 * weights, the momentum buffers (each as `.json` manifest + `.bin` data) and
 * `state.json` (epoch, metrics, best epoch, generator states). `latest.json`
 * beside the epoch folders names the complete one; it is written last and
 * atomically, so a run killed at any instant leaves a readable checkpoint.
 */
import { StreamState, writeFileAtomic } from "@rectifier/core"
import { Effect, FileSystem, Option, Path, Schema } from "effect"
import { EpochMetrics } from "./EpochMetrics.ts"
import type { ModelWeights } from "./ModelWeights.ts"
import { CheckpointUnreadable, CheckpointUnwritable } from "./TrainingError.ts"
import { readWeights, writeWeights } from "./WeightsFile.ts"

export interface BestEpoch {
  readonly epoch: number
  readonly validationError: number
  readonly testError: number
}

/** Everything a run needs to continue exactly where it stopped. */
export interface Checkpoint {
  readonly learningRate: number
  /** Epochs completed. */
  readonly epoch: number
  readonly epochs: ReadonlyArray<EpochMetrics>
  readonly best: (BestEpoch & { readonly weights: ModelWeights }) | undefined
  /** Generator states by stream name. */
  readonly streams: Readonly<Record<string, StreamState>>
  readonly weights: ModelWeights
  /** Momentum buffers in the model's variable order, shaped like the weights. */
  readonly momentum: ModelWeights | undefined
}

const State = Schema.Struct({
  format: Schema.Literal("rectifier-checkpoint/1"),
  learningRate: Schema.Number,
  epoch: Schema.Int,
  epochs: Schema.Array(EpochMetrics),
  best: Schema.optionalKey(Schema.Struct({ epoch: Schema.Int, validationError: Schema.Number, testError: Schema.Number })),
  streams: Schema.Record(Schema.String, StreamState),
  momentum: Schema.Boolean
})
const Latest = Schema.Struct({ folder: Schema.String })

const encodeState = Schema.encodeEffect(Schema.fromJsonString(State))
const decodeState = Schema.decodeUnknownEffect(Schema.fromJsonString(State))
const decodeLatest = Schema.decodeUnknownEffect(Schema.fromJsonString(Latest))

export interface CheckpointStore {
  /** The latest complete checkpoint of the run with `learningRate`, if any. */
  readonly load: (learningRate: number) => Effect.Effect<Option.Option<Checkpoint>, CheckpointUnreadable>
  readonly save: (checkpoint: Checkpoint) => Effect.Effect<void, CheckpointUnwritable>
}

/** A store of checkpoints under `folder`. */
export const checkpointStore = (folder: string): Effect.Effect<CheckpointStore, never, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const provide = <A, E>(effect: Effect.Effect<A, E, FileSystem.FileSystem | Path.Path>) =>
      effect.pipe(Effect.provideService(FileSystem.FileSystem, fs), Effect.provideService(Path.Path, path))
    const runFolder = (learningRate: number) => path.join(folder, `lr-${learningRate}`)

    const load = (learningRate: number) =>
      provide(Effect.gen(function*() {
        const base = runFolder(learningRate)
        const latestFile = path.join(base, "latest.json")
        if (!(yield* fs.exists(latestFile).pipe(Effect.orElseSucceed(() => false)))) return Option.none<Checkpoint>()
        const fail = (file: string) => (error: { readonly message: string }) =>
          new CheckpointUnreadable({ path: file, problem: error.message })
        const latest = yield* fs.readFileString(latestFile).pipe(
          Effect.flatMap(decodeLatest),
          Effect.mapError(fail(latestFile))
        )
        const epochFolder = path.join(base, latest.folder)
        const stateFile = path.join(epochFolder, "state.json")
        const state = yield* fs.readFileString(stateFile).pipe(Effect.flatMap(decodeState), Effect.mapError(fail(stateFile)))
        const read = (name: string) =>
          readWeights(path.join(epochFolder, name)).pipe(
            Effect.mapError((error) => new CheckpointUnreadable({ path: error.file, problem: error.problem }))
          )
        const weights = yield* read("weights")
        const best = state.best === undefined ? undefined : { ...state.best, weights: yield* read("best") }
        const momentum = state.momentum ? yield* read("momentum") : undefined
        const checkpoint: Checkpoint = {
          learningRate: state.learningRate,
          epoch: state.epoch,
          epochs: state.epochs,
          best,
          streams: state.streams,
          weights,
          momentum
        }
        return Option.some(checkpoint)
      }))

    const save = (checkpoint: Checkpoint) => {
      const base = runFolder(checkpoint.learningRate)
      const name = `epoch-${String(checkpoint.epoch).padStart(4, "0")}`
      const epochFolder = path.join(base, name)
      return provide(Effect.gen(function*() {
        yield* writeWeights(path.join(epochFolder, "weights"), checkpoint.weights)
        if (checkpoint.best !== undefined) yield* writeWeights(path.join(epochFolder, "best"), checkpoint.best.weights)
        if (checkpoint.momentum !== undefined) yield* writeWeights(path.join(epochFolder, "momentum"), checkpoint.momentum)
        const state = yield* Effect.orDie(encodeState({
          format: "rectifier-checkpoint/1",
          learningRate: checkpoint.learningRate,
          epoch: checkpoint.epoch,
          epochs: checkpoint.epochs,
          ...(checkpoint.best === undefined ? {} : {
            best: {
              epoch: checkpoint.best.epoch,
              validationError: checkpoint.best.validationError,
              testError: checkpoint.best.testError
            }
          }),
          streams: checkpoint.streams,
          momentum: checkpoint.momentum !== undefined
        }))
        yield* writeFileAtomic(path.join(epochFolder, "state.json"), state)
        yield* writeFileAtomic(path.join(base, "latest.json"), JSON.stringify({ folder: name }))
        // Older epochs are no longer needed once `latest.json` names this one.
        for (const entry of yield* fs.readDirectory(base)) {
          if (entry.startsWith("epoch-") && entry !== name) yield* fs.remove(path.join(base, entry), { recursive: true })
        }
      })).pipe(Effect.mapError((error) => new CheckpointUnwritable({ path: epochFolder, problem: error.message })))
    }
    return { load, save }
  })
