/**
 * Experiments: named presets and their overrides, resolving a configuration,
 * running it (a single run, or a sweep of cells x seeds in worker processes),
 * resuming, run identity and locks, verifying a recorded run, the golden
 * records, and cost estimates.
 *
 * @module @rectifier/experiment
 */
export * from "./BestWeights.ts"
export * from "./ConfigOverrides.ts"
export * from "./Defaults.ts"
export * from "./Estimate.ts"
export * from "./Golden.ts"
export * from "./GoldenCase.ts"
export * from "./GoldenCommand.ts"
export * from "./GoldenError.ts"
export * from "./Job.ts"
export * from "./Pipeline.ts"
export * from "./PipelineError.ts"
export * from "./Preset.ts"
export * from "./Presets.ts"
export * from "./Protocol.ts"
export * from "./Results.ts"
export * from "./RunData.ts"
export * from "./RunFolder.ts"
export * from "./RunKey.ts"
export * from "./RunLock.ts"
export * from "./SweepRunner.ts"
export * from "./Verify.ts"
export * from "./WorkerProcess.ts"
