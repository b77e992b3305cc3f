/** Every named pipeline, and resolving a name plus overrides into a full run configuration. */
import { type RunConfig, RunConfig as RunConfigSchema } from "@rectifier/report"
import { Effect, Schema } from "effect"
import { applyOverrides, ConfigOverrides } from "./ConfigOverrides.ts"
import { defaults } from "./Defaults.ts"
import { ConfigInvalid, UnknownPipeline } from "./PipelineError.ts"
import type { Preset } from "./Preset.ts"
import { mnistRelu, mnistSigmoid, mnistSoftplus, mnistTanh } from "./presets/mnist.ts"
import { mnistReluDae, mnistReluRbm, mnistSigmoidRbm, mnistSoftplusDae, mnistTanhDae } from "./presets/pretrained.ts"

export const presets: ReadonlyArray<Preset> = [
  mnistRelu,
  mnistTanh,
  mnistSoftplus,
  mnistSigmoid,
  mnistReluDae,
  mnistTanhDae,
  mnistSoftplusDae,
  mnistSigmoidRbm,
  mnistReluRbm
]

export const findPreset = (name: string): Effect.Effect<Preset, UnknownPipeline> => {
  const preset = presets.find((p) => p.name === name)
  return preset === undefined
    ? Effect.fail(new UnknownPipeline({ name, known: presets.map((p) => p.name) }))
    : Effect.succeed(preset)
}

const decodeOverrides = Schema.decodeUnknownEffect(ConfigOverrides)
const decodeConfig = Schema.decodeUnknownEffect(RunConfigSchema)
const strict = { onExcessProperty: "error" } as const

/** Defaults, then the preset, then `overrides` (e.g. from flags); every layer validated. */
export const resolveConfig = (preset: Preset, overrides: unknown = {}): Effect.Effect<RunConfig, ConfigInvalid> =>
  Effect.gen(function*() {
    const fromPreset = yield* decodeOverrides(preset.overrides, strict).pipe(
      Effect.mapError((issue) => new ConfigInvalid({ source: `preset ${preset.name}`, detail: issue.message }))
    )
    const fromCaller = yield* decodeOverrides(overrides, strict).pipe(
      Effect.mapError((issue) => new ConfigInvalid({ source: "overrides", detail: issue.message }))
    )
    const merged = applyOverrides(applyOverrides(defaults, fromPreset), fromCaller)
    const withStack = merged.pretraining === undefined
      ? merged
      : { ...merged, pretraining: { ...merged.pretraining, hiddenSizes: merged.training.hiddenLayers } }
    return yield* decodeConfig(withStack, strict).pipe(
      Effect.mapError((issue) => new ConfigInvalid({ source: "resolved configuration", detail: issue.message }))
    )
  })
