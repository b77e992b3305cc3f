/** Sweeps: running a preset's grid of runs, resumably and in parallel, and writing its report. */
export * from "./BestWeights.ts"
export * from "./Job.ts"
export * from "./RunKey.ts"
export * from "./RunLock.ts"
export * from "./SweepRunner.ts"
export * from "./Results.ts"
