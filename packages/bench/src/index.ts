/** The benchmark's reusable pieces: the workload, the training step, and the `bench` command the app mounts. */
export * from "./BenchCommand.ts"
export * from "./TrainStep.ts"
export * from "./Workload.ts"
