/** Named pipelines, configuration resolution, and running a pipeline end to end. */
export * from "./ConfigOverrides.ts"
export * from "./Defaults.ts"
export * from "./Pipeline.ts"
export * from "./PipelineError.ts"
export * from "./Preset.ts"
export * from "./Presets.ts"
export * from "./RunFolder.ts"
