/**
 * Partial run configurations: what a preset or a command line changes
 * relative to the defaults. Unknown keys are errors, so a typo in a preset
 * or a library call never silently falls back to a default.
 */
import { BackendChoice } from "@rectifier/backend"
import { Architecture, Pretraining, RunConfig } from "@rectifier/report"
import { TrainingConfig } from "@rectifier/train"
import { Schema } from "effect"

const partial = <Fields extends Schema.Struct.Fields>(struct: Schema.Struct<Fields>) =>
  Schema.Struct(
    Object.fromEntries(Object.entries(struct.fields).map(([key, field]) => [key, Schema.optionalKey(field)])) as {
      [K in keyof Fields]: Schema.optionalKey<Fields[K]>
    }
  )

export const ConfigOverrides = Schema.Struct({
  dataset: Schema.optionalKey(partial(RunConfig.fields.dataset)),
  training: Schema.optionalKey(partial(TrainingConfig)),
  seed: Schema.optionalKey(RunConfig.fields.seed),
  backend: Schema.optionalKey(BackendChoice),
  threads: Schema.optionalKey(RunConfig.fields.threads),
  pretraining: Schema.optionalKey(Pretraining),
  architecture: Schema.optionalKey(Architecture)
})
export type ConfigOverrides = typeof ConfigOverrides.Type

/** Applies `overrides` on top of `base`, one level deep for the nested groups. */
export const applyOverrides = (base: RunConfig, overrides: ConfigOverrides): RunConfig => ({
  dataset: { ...base.dataset, ...overrides.dataset },
  training: { ...base.training, ...overrides.training },
  seed: overrides.seed ?? base.seed,
  backend: overrides.backend ?? base.backend,
  threads: overrides.threads ?? base.threads,
  pretraining: overrides.pretraining ?? base.pretraining,
  architecture: overrides.architecture ?? base.architecture
})

/** `later` on top of `earlier`, one level deep for the nested groups: the result is itself an override. */
export const mergeOverrides = (earlier: ConfigOverrides, later: ConfigOverrides): ConfigOverrides => {
  const merged: Record<string, unknown> = { ...earlier, ...later }
  if (earlier.dataset !== undefined || later.dataset !== undefined) {
    merged.dataset = { ...earlier.dataset, ...later.dataset }
  }
  if (earlier.training !== undefined || later.training !== undefined) {
    merged.training = { ...earlier.training, ...later.training }
  }
  return merged as ConfigOverrides
}
