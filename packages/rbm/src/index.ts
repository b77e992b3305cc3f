/**
 * Greedy layer-wise pre-training: RBMs (CD-k, PCD) and denoising auto-encoders, stacked and saved.
 *
 * @module @rectifier/rbm
 */
export * from "./ContrastiveDivergence.ts"
export * from "./DenoisingAutoencoder.ts"
export * from "./ExactLikelihood.ts"
export * from "./LayerStore.ts"
export * from "./PretrainConfig.ts"
export * from "./Pretrainer.ts"
export * from "./PretrainError.ts"
export * from "./Rbm.ts"
export * from "./Rows.ts"
export * from "./Stack.ts"
export * from "./TrainRbm.ts"
