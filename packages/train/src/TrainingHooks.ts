/** What a caller can hang on a training run: progress callbacks, pre-trained weights to start from, checkpoints. */
import type { Effect } from "effect"
import type { CheckpointStore } from "./Checkpoint.ts"
import type { EpochMetrics } from "./EpochMetrics.ts"
import type { ModelWeights } from "./ModelWeights.ts"
import type { TrainingConfig } from "./TrainingConfig.ts"

/** How far the current epoch has got: `step` of its `steps` minibatches. */
export interface StepProgress {
  readonly epoch: number
  readonly step: number
  readonly steps: number
  readonly learningRate: number
}

/** What a caller may hand `Trainer.run` beside the configuration; every field may be left out. */
export interface TrainingHooks {
  /** Called after each epoch, e.g. to print progress. */
  readonly onEpoch?: (metrics: EpochMetrics, config: TrainingConfig, learningRate: number) => Effect.Effect<void>
  /** Called within an epoch every few dozen steps (for progress in long epochs; it must be cheap). */
  readonly onSteps?: (progress: StepProgress) => void
  /** Hidden-layer weights to start from (greedy pre-training); the output layer starts fresh. */
  readonly initialHiddenWeights?: ModelWeights
  /** Save a checkpoint after every epoch, and resume from the latest one found. */
  readonly checkpoints?: CheckpointStore
}
