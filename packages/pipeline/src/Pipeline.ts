/**
 * A pipeline run: the stages (Dataset, Trainer, SparsityAnalysis, Report)
 * composed over one seeded random source and one tensor backend, leaving a
 * run folder with `results.json` and `report.md`.
 */
import { TensorBackend } from "@rectifier/backend"
import { Rng, writeFileAtomic } from "@rectifier/core"
import { Dataset } from "@rectifier/datasets"
import { Report, RunConfig, type RunRecord, RunRecord as RunRecordSchema } from "@rectifier/report"
import { type EpochMetrics, SparsityAnalysis, Trainer } from "@rectifier/train"
import { Effect, FileSystem, Layer, Path, Schema } from "effect"
import { environment } from "./Environment.ts"
import type { Preset } from "./Preset.ts"
import { createRunFolder } from "./RunFolder.ts"

export interface RunOptions {
  /** Folder that receives the run folder. */
  readonly out: string
  /** Called after every epoch, e.g. for a progress line. */
  readonly onEpoch?: (metrics: EpochMetrics, config: RunConfig) => Effect.Effect<void>
  /** Write into this existing folder instead of creating a fresh one under `out` (sweeps name their runs). */
  readonly folder?: string
}

export interface RunOutcome {
  readonly folder: string
  readonly record: RunRecord
}

/** The stage layers for one configuration. */
export const stages = (config: RunConfig) => {
  const foundation = Layer.mergeAll(
    Rng.layer(config.seed),
    TensorBackend.layer({ backend: config.backend, threads: config.threads }),
    Dataset.mnist({ trainSize: config.dataset.trainSize, evaluationSize: config.dataset.evaluationSize })
  )
  return Layer.mergeAll(Trainer.layer, SparsityAnalysis.layer, Report.layer).pipe(Layer.provideMerge(foundation))
}

const encodeRecord = Schema.encodeEffect(Schema.fromJsonString(RunRecordSchema))

/** Runs `preset` with the resolved `config` and writes its run folder. */
export const runPipeline = (preset: Preset, config: RunConfig, options: RunOptions) =>
  Effect.scoped(
    Effect.gen(function*() {
      const started = new Date()
      const dataset = yield* Dataset
      const backend = yield* TensorBackend
      const trainer = yield* Trainer
      const sparsityAnalysis = yield* SparsityAnalysis
      const report = yield* Report
      const training = yield* trainer.train(config.training, {
        ...(options.onEpoch === undefined ? {} : { onEpoch: (metrics) => options.onEpoch!(metrics, config) })
      })
      const sparsity = yield* sparsityAnalysis.measure(training.model, dataset.test)
      const finished = new Date()
      const record: RunRecord = {
        format: "rectifier-run/1",
        pipeline: preset.name,
        description: preset.description,
        config,
        environment: { ...environment(), backend: backend.info },
        startedAt: started.toISOString(),
        finishedAt: finished.toISOString(),
        wallSeconds: (finished.getTime() - started.getTime()) / 1000,
        epochs: training.epochs,
        result: {
          bestEpoch: training.bestEpoch,
          validationError: training.validationError,
          testError: training.testError,
          sparsity
        },
        references: preset.references
      }
      const folder = options.folder ?? (yield* createRunFolder(options.out, preset.name, config.seed, started))
      const path = yield* Path.Path
      yield* writeFileAtomic(path.join(folder, "results.json"), (yield* encodeRecord(record)) + "\n")
      yield* report.write(folder, record)
      const outcome: RunOutcome = { folder, record }
      return outcome
    })
  ).pipe(Effect.provide(stages(config)))

/** Reads and validates a run folder's `results.json`. */
export const readRunRecord = (folder: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const text = yield* fs.readFileString(path.join(folder, "results.json"))
    return yield* Schema.decodeUnknownEffect(Schema.fromJsonString(RunRecordSchema))(text)
  })
