/**
 * Every named pipeline, and resolving a name plus overrides into full run
 * configurations: defaults, then the preset, then the sweep cell, then the
 * caller's overrides (flags); every layer validated, unknown keys rejected by name.
 */
import { type Reference, type RunConfig, RunConfig as RunConfigSchema } from "@rectifier/record"
import { Effect, Schema, SchemaIssue } from "effect"
import { applyOverrides, ConfigOverrides, mergeOverrides, type UnresolvedConfig } from "./ConfigOverrides.ts"
import { defaults } from "./Defaults.ts"
import { ConfigInvalid, DatasetSizeInvalid, UnknownCell, UnknownPipeline } from "./PipelineError.ts"
import type { Preset } from "./Preset.ts"
import { depthConv, depthMlp } from "./presets/depth.ts"
import { labelledFraction } from "./presets/labelledFraction.ts"
import { l1Sweep } from "./presets/l1Sweep.ts"
import { mnistRelu, mnistSigmoid, mnistSoftplus, mnistTanh } from "./presets/mnist.ts"
import { mnistReluDae, mnistReluRbm, mnistSigmoidRbm, mnistSoftplusDae, mnistTanhDae } from "./presets/pretrained.ts"
import { modern } from "./presets/modern.ts"
import { norbSoftplusRescaled } from "./presets/norbSoftplus.ts"
import { seedMnist, seedNistp, seedNorb } from "./presets/seed.ts"
import { smoke } from "./presets/smoke.ts"
import { speed } from "./presets/speed.ts"
import {
  table1Cifar10,
  table1Mnist,
  table1MnistSelectionCheck,
  table1MnistSupervised,
  table1Nistp,
  table1Norb
} from "./presets/table1.ts"
import { protocolOverrides, protocolPretraining, selects } from "./Protocol.ts"
import { checkDatasetSizes } from "./RunData.ts"

/** Every named pipeline, in the order `pipeline --list` shows them. */
export const presets: ReadonlyArray<Preset> = [
  mnistRelu,
  mnistTanh,
  mnistSoftplus,
  mnistSigmoid,
  mnistReluDae,
  mnistTanhDae,
  mnistSoftplusDae,
  mnistSigmoidRbm,
  mnistReluRbm,
  table1MnistSupervised,
  table1Mnist,
  table1MnistSelectionCheck,
  table1Cifar10,
  table1Nistp,
  table1Norb,
  seedMnist,
  seedNorb,
  seedNistp,
  l1Sweep,
  norbSoftplusRescaled,
  labelledFraction,
  depthMlp,
  depthConv,
  speed,
  modern,
  smoke
]

/** The preset named `name`; fails with `UnknownPipeline`, listing the known names. */
export const findPreset = (name: string): Effect.Effect<Preset, UnknownPipeline> => {
  const preset = presets.find((p) => p.name === name)
  return preset === undefined
    ? Effect.fail(new UnknownPipeline({ name, known: presets.map((p) => p.name) }))
    : Effect.succeed(preset)
}

/**
 * `preset` with only the sweep cells named by `labels` (all of them when none
 * are named), in the preset's order, and the comparisons and claims among
 * them. Its runs keep their identities and its sweep folder, so a later run
 * of the whole sweep reuses them. Fails with `UnknownCell` for a label the
 * sweep does not have.
 */
export const selectCells = (preset: Preset, labels: ReadonlyArray<string>): Effect.Effect<Preset, UnknownCell> => {
  if (labels.length === 0) return Effect.succeed(preset)
  const sweep = preset.sweep
  const known = sweep?.cells.map((cell) => cell.label) ?? []
  const unknown = labels.find((label) => !known.includes(label))
  if (sweep === undefined || unknown !== undefined) {
    return Effect.fail(new UnknownCell({ pipeline: preset.name, label: unknown ?? labels[0]!, known }))
  }
  const kept = new Set(labels)
  const both = (pair: readonly [string, string]) => kept.has(pair[0]) && kept.has(pair[1])
  return Effect.succeed({
    ...preset,
    sweep: {
      ...sweep,
      cells: sweep.cells.filter((cell) => kept.has(cell.label)),
      ...(sweep.comparisons === undefined ? {} : { comparisons: sweep.comparisons.filter(both) }),
      ...(sweep.claims === undefined ? {} : { claims: sweep.claims.filter((c) => both(c.larger) && both(c.smaller)) })
    }
  })
}

const decodeOverrides = Schema.decodeUnknownEffect(ConfigOverrides)
/**
 * Auto-encoders of sign-alternating rectifiers decode their own codes' magnitudes and reconstruct the negated half of the codes below (`codeSigns`
 * "magnitudes") unless the configuration says otherwise; records from before the field lack it and keep
 * their numbers and identity.
 */
const withCodeSigns = (pretraining: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> =>
  pretraining.kind === "dae" && pretraining.activation === "rectifier-alternating" && pretraining.codeSigns === undefined
    ? { ...pretraining, codeSigns: "magnitudes" }
    : pretraining

/** A pre-training stack always has the MLP's hidden layer sizes, and follows the run's protocol. */
const withStack = (config: UnresolvedConfig, protocol: "shortcut" | "paper"): UnresolvedConfig =>
  config.pretraining === undefined || config.pretraining === null
    ? config
    : {
      ...config,
      pretraining: protocolPretraining(
        protocol,
        withCodeSigns({ ...config.pretraining, hiddenSizes: config.training.hiddenLayers })
      )
    }

const decodeConfig = Schema.decodeUnknownEffect(RunConfigSchema)
const strict = { onExcessProperty: "error", errors: "all" } as const

const standard = SchemaIssue.makeFormatterStandardSchemaV1({
  leafHook: (issue) => issue._tag === "UnexpectedKey" ? "unknown field (not part of the configuration)" : SchemaIssue.defaultLeafHook(issue)
})

/** A decoding issue as the fields it is about, each with what was expected there. */
const configInvalid = (source: string, issue: SchemaIssue.Issue): ConfigInvalid =>
  new ConfigInvalid({
    source,
    problems: standard(issue).issues.map((entry) => ({
      field: (entry.path ?? []).map((key) => String(typeof key === "object" ? key.key : key)).join("."),
      problem: entry.message
    }))
  })

/** Decodes an override (a preset's, a cell's, the caller's, a --config file's), unknown keys refused by name. */
export const validateOverrides = (source: string, value: unknown): Effect.Effect<ConfigOverrides, ConfigInvalid> =>
  decodeOverrides(value, strict).pipe(Effect.mapError((issue) => configInvalid(source, issue.issue)))

/** One run of a pipeline: its cell (for a sweep), seed and full configuration. */
export interface PlannedRun {
  /** The sweep cell's label; the preset's name for a single-run preset. */
  readonly cell: string
  readonly references: ReadonlyArray<Reference>
  readonly config: RunConfig
  /**
   * Under the paper protocol in a sweep, the cell's first seed selects the
   * rates (`leader`) and its other seeds reuse them (`follower`: `config` is
   * then the grid, resolved by `reuseSelection` once the leader has finished).
   */
  readonly selection?: "leader" | "follower"
}

/**
 * Every run `preset` stands for with `overrides` on top, validated but not
 * checked against the dataset's split sizes (for listings and estimates). A sweep's seeds
 * replace the config's seed unless the overrides name one.
 */
export const planRuns = (
  preset: Preset,
  overrides: unknown = {},
  seeds?: ReadonlyArray<number | undefined>
): Effect.Effect<ReadonlyArray<PlannedRun>, ConfigInvalid> =>
  Effect.gen(function*() {
    const fromPreset = yield* validateOverrides(`preset ${preset.name}`, preset.overrides)
    const fromCaller = yield* validateOverrides("overrides", overrides)
    // A one-run preset is one cell, its references the preset's own (added below, once).
    const cells = preset.sweep?.cells ?? [{ label: preset.name, overrides: {}, references: [] }]
    const seedList = seeds ?? (preset.sweep === undefined || fromCaller.seed !== undefined
      ? [undefined]
      : preset.sweep.seeds)
    const runs: Array<PlannedRun> = []
    for (const cell of cells) {
      const fromCell = yield* validateOverrides(`preset ${preset.name}, cell "${cell.label}"`, cell.overrides)
      const written = mergeOverrides(mergeOverrides(fromPreset, fromCell), fromCaller)
      const protocol = written.protocol ?? "shortcut"
      const layered = mergeOverrides(
        mergeOverrides(mergeOverrides(fromPreset, fromCell), protocolOverrides(protocol, fromCaller)),
        fromCaller
      )
      for (const [index, seed] of seedList.entries()) {
        const merged = applyOverrides(defaults, seed === undefined ? layered : { ...layered, seed })
        const config = yield* decodeConfig(withStack(merged, protocol), strict).pipe(
          Effect.mapError((issue) => configInvalid(`resolved configuration of ${preset.name} (${cell.label})`, issue.issue))
        )
        if (config.dataset.inputs === "symmetric" && config.pretraining !== undefined) {
          return yield* new ConfigInvalid({
            source: `resolved configuration of ${preset.name} (${cell.label})`,
            problems: [{
              field: "dataset.inputs",
              problem: "symmetric inputs cannot be pre-trained: the first layer's auto-encoder or RBM reconstructs inputs in [0, 1]"
            }]
          })
        }
        const selection = protocol === "paper" && seedList.length > 1 && selects(config)
          ? { selection: index === 0 ? "leader" as const : "follower" as const }
          : {}
        runs.push({ cell: cell.label, references: [...preset.references, ...cell.references], config, ...selection })
      }
    }
    return runs
  })

/** Like `planRuns`, but fails with `DatasetSizeInvalid` when a run asks for more examples than its dataset's split has. */
export const resolveRuns = (
  preset: Preset,
  overrides: unknown = {},
  seeds?: ReadonlyArray<number | undefined>
): Effect.Effect<ReadonlyArray<PlannedRun>, ConfigInvalid | DatasetSizeInvalid> =>
  planRuns(preset, overrides, seeds).pipe(
    Effect.flatMap((runs) => {
      const invalid = runs.map((run) => checkDatasetSizes(preset.name, run.config)).find((error) => error !== undefined)
      return invalid === undefined ? Effect.succeed(runs) : Effect.fail(invalid)
    })
  )

/** The configuration of a one-run preset (of a sweep: its first cell), defaults, then the preset, then `overrides`. */
export const resolveConfig = (
  preset: Preset,
  overrides: unknown = {}
): Effect.Effect<RunConfig, ConfigInvalid | DatasetSizeInvalid> =>
  resolveRuns(preset, overrides, [undefined]).pipe(
    Effect.map((runs) => runs[0]!.config)
  )
