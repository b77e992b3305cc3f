/** Supervised training: the MLP, the Trainer and SparsityAnalysis stages, and the weights format. */
export * from "./Evaluation.ts"
export * from "./Mlp.ts"
export * from "./ModelWeights.ts"
export * from "./SparsityAnalysis.ts"
export * from "./Trainer.ts"
export * from "./TrainingConfig.ts"
export * from "./TrainingError.ts"
