/**
 * The trained weights of each cell's best run (lowest validation error, the
 * lower seed on a tie; diverged runs never), exported as
 * `<sweep>/<cell-slug>.safetensors` for PyTorch and other tools. results.json
 * holds no weights: they come from the run's checkpoint, whose latest epoch
 * keeps the best-so-far weights (`checkpoint/lr-<rate>/epoch-NNNN/best.*`),
 * checked to be the record's best epoch. A cell whose checkpoint is gone or
 * disagrees with its record is left out, with a warning, never exported wrong;
 * a cell whose best run was reused from a registry (a folder with a record and
 * no checkpoint) is left out with a note saying so.
 */
import { writeFileAtomic } from "@rectifier/core"
import { type RunRecord, runFailure } from "@rectifier/record"
import { encodeSafetensors, modelTensors } from "@rectifier/report"
import { checkpointStore } from "@rectifier/train"
import { Effect, FileSystem, Option, Path } from "effect"
import { configHash } from "./Pipeline.ts"
import { slug } from "./RunKey.ts"

/** A finished run of a sweep, under the label of the cell it belongs to. */
export interface CellRun {
  readonly cell: string
  /** The run's folder (absolute, or relative to the working directory). */
  readonly folder: string
  readonly record: RunRecord
}

/** Per cell (in the order first seen), its best non-diverged run. */
export const bestRuns = (runs: ReadonlyArray<CellRun>): ReadonlyArray<CellRun> =>
  [...new Set(runs.map((r) => r.cell))].flatMap((cell) => {
    const candidates = runs
      .filter((r) => r.cell === cell && runFailure(r.record) === undefined)
      .sort((a, b) => a.record.result.validationError - b.record.result.validationError || a.record.config.seed - b.record.config.seed)
    return candidates.length === 0 ? [] : [candidates[0]!]
  })

/** The safetensors header's `__metadata__`: where the weights come from and how to read them. */
const metadata = (run: CellRun, epoch: number): Record<string, string> => {
  const { record } = run
  const t = record.config.training
  return {
    format: "rectifier-weights/1 as safetensors",
    layout: "layer{i}.weight is [fanIn, fanOut] (y = x W + b), i from 0 at the input, the output layer last",
    pipeline: record.pipeline,
    cell: run.cell,
    seed: String(record.config.seed),
    epoch: String(epoch),
    validationError: String(record.result.validationError),
    testError: String(record.result.testError),
    activation: typeof t.activation === "string" ? t.activation : JSON.stringify(t.activation),
    hiddenLayers: JSON.stringify(t.hiddenLayers),
    ...(t.activations === undefined ? {} : { activations: JSON.stringify(t.activations) }),
    ...(t.model === undefined ? {} : { model: JSON.stringify(t.model) }),
    ...(record.environment.commit === undefined ? {} : { commit: record.environment.commit })
  }
}

/** Writes each cell's best weights into `folder`; returns the files written. */
export const writeBestWeights = Effect.fn("BestWeights.write")(function*(folder: string, runs: ReadonlyArray<CellRun>) {
  const path = yield* Path.Path
  const fs = yield* FileSystem.FileSystem
  const written: Array<string> = []
  for (const run of bestRuns(runs)) {
    if (!(yield* fs.exists(path.join(run.folder, "checkpoint")).pipe(Effect.orElseSucceed(() => false)))) {
      yield* Effect.logInfo(`${run.cell}: no weights exported: its best run's record was reused, and a registry keeps no weights`)
      continue
    }
    const learningRate = run.record.result.learningRate ?? run.record.config.training.learningRate
    // Bound to the record's configuration and the weights files' digests: exported weights are the run's own.
    const store = yield* checkpointStore(path.join(run.folder, "checkpoint"), {
      configHash: configHash(run.record.config),
      source: path.join(run.folder, "results.json"),
      runSeconds: () => 0
    })
    const checkpoint = yield* store.load(learningRate).pipe(
      Effect.map(Option.getOrUndefined),
      Effect.catchTags({
        CheckpointUnreadable: (error) => Effect.logWarning(error.message).pipe(Effect.as(undefined)),
        CheckpointMismatch: (error) => Effect.logWarning(error.message).pipe(Effect.as(undefined))
      })
    )
    const best = checkpoint?.best
    if (best === undefined || best.epoch !== run.record.result.bestEpoch) {
      yield* Effect.logWarning(
        `${run.cell}: no weights exported; ${run.folder}'s checkpoint for learning rate ${learningRate} ` +
          (best === undefined ? "holds no best weights" : `keeps epoch ${best.epoch}, the record's best is ${run.record.result.bestEpoch}`)
      )
      continue
    }
    const file = path.join(folder, `${slug(run.cell)}.safetensors`)
    yield* writeFileAtomic(file, encodeSafetensors(modelTensors(best.weights), metadata(run, best.epoch)))
    written.push(file)
  }
  return written
})
