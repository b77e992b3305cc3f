/** The benchmark's reusable pieces: the workload and the training step. */
export * from "./TrainStep.ts"
export * from "./Workload.ts"
