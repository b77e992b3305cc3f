/**
 * Checkpoints of a training run, one folder per learning rate tried:
 * `<folder>/lr-<rate>/epoch-NNNN/` holds the weights, the best-so-far
 * weights, the momentum buffers (each as `.json` manifest + `.bin` data) and
 * `state.json` (epoch, metrics, best epoch, generator states). `latest.json`
 * beside the epoch folders names the complete one; it is written last and
 * atomically, so a run killed at any instant leaves a readable checkpoint.
 *
 * Format /2 binds each checkpoint to its run and its bytes: `state.json`
 * holds the hash of the run's resolved configuration (checked against the
 * run's on load: `CheckpointMismatch`), the SHA-256 of every weights file
 * (checked before the weights are read: a changed file fails naming it) and
 * the seconds the run had spent running when it was written. `latest.json`
 * must name a plain `epoch-NNNN` folder. Format /1 checkpoints (before these
 * fields) still load, without the checks.
 */
import { describeError, StreamState, writeFileAtomic } from "@rectifier/core"
import { Effect, FileSystem, Option, Path, Schema } from "effect"
import { EpochMetrics } from "./EpochMetrics.ts"
import type { ModelWeights } from "./ModelWeights.ts"
import { CheckpointMismatch, CheckpointUnreadable, CheckpointUnwritable } from "./TrainingError.ts"
import { readWeights, type WeightsDigests, writeWeights } from "./WeightsFile.ts"

/** A run's epoch of lowest validation error so far (1-based), with its validation and test errors. */
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

const common = {
  learningRate: Schema.Number,
  epoch: Schema.Int,
  epochs: Schema.Array(EpochMetrics),
  best: Schema.optionalKey(Schema.Struct({ epoch: Schema.Int, validationError: Schema.Number, testError: Schema.Number })),
  streams: Schema.Record(Schema.String, StreamState),
  momentum: Schema.Boolean
}
const Digests = Schema.Struct({ manifest: Schema.String, data: Schema.String })
const StateV1 = Schema.Struct({ format: Schema.Literal("rectifier-checkpoint/1"), ...common })
const StateV2 = Schema.Struct({
  format: Schema.Literal("rectifier-checkpoint/2"),
  ...common,
  /** The hash of the run's resolved configuration (see `Provenance`). */
  config: Schema.String,
  /** SHA-256 of each weights pair by name ("weights", "best", "momentum"). */
  files: Schema.Record(Schema.String, Digests),
  /** Seconds the run had spent running (all segments) when this was written. */
  runSeconds: Schema.Number
})
const State = Schema.Union([StateV2, StateV1])
const Latest = Schema.Struct({ folder: Schema.String })
/** The only folder names `latest.json` may give: a checkpoint cannot point outside its run. */
const epochFolderName = /^epoch-\d{4,}$/

/** What binds a store's checkpoints to one run. */
export interface Provenance {
  /** The hash of the run's resolved configuration. */
  readonly configHash: string
  /** Where that configuration lives (named in errors): the run's config.json. */
  readonly source: string
  /** Seconds the run has spent running so far, stored in each checkpoint. */
  readonly runSeconds: () => number
}

const encodeState = Schema.encodeEffect(Schema.fromJsonString(State))
const decodeState = Schema.decodeUnknownEffect(Schema.fromJsonString(State))
const decodeLatest = Schema.decodeUnknownEffect(Schema.fromJsonString(Latest))

/**
 * Where a training run keeps its checkpoints, one folder per learning rate,
 * and finds them again when it resumes; `checkpointStore` makes one on disk.
 */
export interface CheckpointStore {
  /** The latest complete checkpoint of the run with `learningRate`, if any. */
  readonly load: (learningRate: number) => Effect.Effect<Option.Option<Checkpoint>, CheckpointUnreadable | CheckpointMismatch>
  /** Writes `checkpoint` as the latest of its learning rate, then removes that rate's older epochs; fails with `CheckpointUnwritable`. */
  readonly save: (checkpoint: Checkpoint) => Effect.Effect<void, CheckpointUnwritable>
  /** The seconds the run had spent running at its latest checkpoint (over every learning rate); 0 if none. */
  readonly runSecondsSoFar: Effect.Effect<number>
}

/**
 * A store of checkpoints under `folder`. With `provenance`, checkpoints are
 * written in format /2 and a /2 checkpoint loads only for the same
 * configuration hash and unchanged weights files.
 */
export const checkpointStore = (
  folder: string,
  provenance?: Provenance
): Effect.Effect<CheckpointStore, never, FileSystem.FileSystem | Path.Path> =>
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
        const fail = (file: string) => (error: unknown) => new CheckpointUnreadable({ path: file, problem: describeError(error) })
        const latest = yield* fs.readFileString(latestFile).pipe(
          Effect.flatMap(decodeLatest),
          Effect.mapError(fail(latestFile))
        )
        if (!epochFolderName.test(latest.folder)) {
          return yield* new CheckpointUnreadable({
            path: latestFile,
            problem: `names the folder ${JSON.stringify(latest.folder)}, not an epoch-NNNN folder beside it`
          })
        }
        const epochFolder = path.join(base, latest.folder)
        const stateFile = path.join(epochFolder, "state.json")
        const state = yield* fs.readFileString(stateFile).pipe(Effect.flatMap(decodeState), Effect.mapError(fail(stateFile)))
        if (state.format === "rectifier-checkpoint/2" && provenance !== undefined && state.config !== provenance.configHash) {
          return yield* new CheckpointMismatch({
            path: stateFile,
            source: provenance.source,
            value: state.config,
            limit: provenance.configHash
          })
        }
        const digests = (name: string): WeightsDigests | undefined => {
          if (state.format !== "rectifier-checkpoint/2") return undefined
          return state.files[name] ?? { manifest: "(not recorded)", data: "(not recorded)" }
        }
        const read = (name: string) =>
          readWeights(path.join(epochFolder, name), digests(name)).pipe(
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
        const files: Record<string, WeightsDigests> = {}
        files["weights"] = yield* writeWeights(path.join(epochFolder, "weights"), checkpoint.weights)
        if (checkpoint.best !== undefined) files["best"] = yield* writeWeights(path.join(epochFolder, "best"), checkpoint.best.weights)
        if (checkpoint.momentum !== undefined) {
          files["momentum"] = yield* writeWeights(path.join(epochFolder, "momentum"), checkpoint.momentum)
        }
        const state = yield* Effect.orDie(encodeState({
          ...(provenance === undefined
            ? { format: "rectifier-checkpoint/1" as const }
            : {
              format: "rectifier-checkpoint/2" as const,
              config: provenance.configHash,
              files,
              runSeconds: provenance.runSeconds()
            }),
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
      })).pipe(Effect.mapError((error) => new CheckpointUnwritable({ path: epochFolder, problem: describeError(error) })))
    }

    const runSecondsSoFar = provide(Effect.gen(function*() {
      if (!(yield* fs.exists(folder))) return 0
      let seconds = 0
      for (const entry of yield* fs.readDirectory(folder)) {
        if (!entry.startsWith("lr-")) continue
        const latest = yield* fs.readFileString(path.join(folder, entry, "latest.json")).pipe(Effect.flatMap(decodeLatest))
        if (!epochFolderName.test(latest.folder)) continue
        const state = yield* fs.readFileString(path.join(folder, entry, latest.folder, "state.json")).pipe(Effect.flatMap(decodeState))
        if (state.format === "rectifier-checkpoint/2") seconds = Math.max(seconds, state.runSeconds)
      }
      return seconds
    })).pipe(Effect.orElseSucceed(() => 0))
    return { load, save, runSecondsSoFar }
  })
