/**
 * Supervised training: MLPs and conv nets, the Trainer and SparsityAnalysis stages, checkpoints, diagnostics and the weights format.
 *
 * @module @rectifier/train
 */
export * from "./Checkpoint.ts"
export * from "./ConvNet.ts"
export * from "./Diagnostics.ts"
export * from "./EpochMetrics.ts"
export * from "./Evaluation.ts"
export * from "./Mlp.ts"
export * from "./Model.ts"
export * from "./ModelWeights.ts"
export * from "./Selection.ts"
export * from "./Sgd.ts"
export * from "./SparsityAnalysis.ts"
export * from "./Trainer.ts"
export * from "./TrainingConfig.ts"
export * from "./TrainingError.ts"
export * from "./TrainingHooks.ts"
export * from "./WeightsFile.ts"
