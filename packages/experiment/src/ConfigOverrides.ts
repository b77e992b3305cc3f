/**
 * Partial run configurations: what a preset or a command line changes
 * relative to the defaults. Unknown keys are errors, so a typo in a preset
 * or a library call never silently falls back to a default.
 */
import { BackendChoice } from "@rectifier/backend"
import { RunConfig } from "@rectifier/record"
import { TrainingConfig } from "@rectifier/train"
import { Schema } from "effect"
import { Protocol } from "./Protocol.ts"

const partial = <Fields extends Schema.Struct.Fields>(struct: Schema.Struct<Fields>) =>
  Schema.Struct(
    Object.fromEntries(Object.entries(struct.fields).map(([key, field]) => [key, Schema.optionalKey(field)])) as {
      [K in keyof Fields]: Schema.optionalKey<Fields[K]>
    }
  )

/**
 * Pre-training: `null` removes it; an object naming a `kind` replaces it
 * whole (the fields of one kind mean nothing to another); an object without
 * a `kind` changes fields of the pre-training the run already has (a sweep
 * cell's own, e.g. `--pretrain-epochs` reaching every pre-trained cell) and
 * leaves a run without pre-training alone. Its hidden sizes always follow
 * the MLP's hidden layers, so they are filled in at resolution; the rest is
 * validated with the resolved config.
 */
const PretrainingOverride = Schema.NullOr(Schema.Record(Schema.String, Schema.Unknown))

/**
 * What a layer of configuration changes: each field of the run configuration
 * optional (the dataset's and training's field by field), plus the protocol.
 * `null` removes an optional part (`pretraining`, `sparseProducts`, `subnormals`).
 */
export const ConfigOverrides = Schema.Struct({
  /** The training protocol (Protocol.ts); `shortcut` when no layer names one. */
  protocol: Schema.optionalKey(Protocol),
  dataset: Schema.optionalKey(partial(RunConfig.fields.dataset)),
  pretraining: Schema.optionalKey(PretrainingOverride),
  training: Schema.optionalKey(partial(TrainingConfig)),
  seed: Schema.optionalKey(RunConfig.fields.seed),
  backend: Schema.optionalKey(BackendChoice),
  threads: Schema.optionalKey(RunConfig.fields.threads),
  sparseProducts: Schema.optionalKey(Schema.NullOr(RunConfig.fields.sparseProducts.schema)),
  subnormals: Schema.optionalKey(Schema.NullOr(RunConfig.fields.subnormals.schema))
})
/** A decoded {@link ConfigOverrides}. */
export type ConfigOverrides = typeof ConfigOverrides.Type

/** A configuration on its way to validation: pre-training still in its written form. */
export type UnresolvedConfig = Omit<RunConfig, "pretraining"> & {
  readonly pretraining?: Readonly<Record<string, unknown>> | null
}

type PretrainingOverride = typeof PretrainingOverride.Type

/** Whether a pre-training override replaces the stack (names its kind) rather than changing some of its fields. */
const replacesStack = (override: PretrainingOverride): boolean => override === null || "kind" in override

/** `later` on top of `earlier` (either may be absent): a replacement wins, changes are merged into what they change. */
const layerPretraining = (
  earlier: PretrainingOverride | undefined,
  later: PretrainingOverride | undefined
): PretrainingOverride | undefined => {
  if (later === undefined) return earlier
  if (earlier === undefined || replacesStack(later)) return later
  return earlier === null ? null : { ...earlier, ...later }
}

/** Applies `overrides` on top of `base`, one level deep for the nested groups. */
export const applyOverrides = (base: UnresolvedConfig, overrides: ConfigOverrides): UnresolvedConfig => {
  const given = overrides.pretraining
  // Changes to a stack the run does not have change nothing: that run pre-trains nothing.
  const pretraining = given === undefined || replacesStack(given)
    ? (given === undefined ? base.pretraining : given)
    : (base.pretraining === undefined || base.pretraining === null ? undefined : { ...base.pretraining, ...given })
  const sparseProducts = overrides.sparseProducts === undefined ? base.sparseProducts : overrides.sparseProducts
  const subnormals = overrides.subnormals === undefined ? base.subnormals : overrides.subnormals
  return {
    dataset: { ...base.dataset, ...overrides.dataset },
    ...(pretraining === undefined || pretraining === null ? {} : { pretraining }),
    training: { ...base.training, ...overrides.training },
    seed: overrides.seed ?? base.seed,
    backend: overrides.backend ?? base.backend,
    threads: overrides.threads ?? base.threads,
    ...(sparseProducts === undefined || sparseProducts === null ? {} : { sparseProducts }),
    ...(subnormals === undefined || subnormals === null ? {} : { subnormals })
  }
}

/** `later` on top of `earlier`, one level deep for the nested groups: the result is itself an override. */
export const mergeOverrides = (earlier: ConfigOverrides, later: ConfigOverrides): ConfigOverrides => {
  const merged: Record<string, unknown> = { ...earlier, ...later }
  if (earlier.dataset !== undefined || later.dataset !== undefined) {
    merged.dataset = { ...earlier.dataset, ...later.dataset }
  }
  if (earlier.training !== undefined || later.training !== undefined) {
    merged.training = { ...earlier.training, ...later.training }
  }
  const pretraining = layerPretraining(earlier.pretraining, later.pretraining)
  if (pretraining !== undefined) merged.pretraining = pretraining
  return merged as ConfigOverrides
}
