/**
 * The configuration flags of `pipeline`, each defined once: its flag, the
 * field of the configuration it sets (`training.epochs`), and how its value
 * becomes that field's. The flags' values are checked by the configuration's
 * own schema (ConfigOverrides), and a problem is reported against the flag
 * that caused it; `--help` shows each field's default.
 */
import { BackendChoice } from "@rectifier/backend"
import { integerList as decimalIntegers } from "@rectifier/core"
import { type ConfigInvalid, defaults, Protocol, PAPER_PROTOCOL } from "@rectifier/experiment"
import { PAPER_LEARNING_RATES } from "@rectifier/train"
import { Option, Schema, SchemaGetter } from "effect"
import { CliError, Flag } from "effect/cli"

/** Comma-separated decimal integers, 0 allowed ("0x20" or "1e3" are refused, not read as 32 or 1000). */
export const integerList = (what: string) => decimalIntegers(what, 0)

/** "1000,1000,1000" -> [1000, 1000, 1000]. */
const HiddenLayers = integerList("widths").pipe(
  Schema.check(Schema.makeFilter((widths) => widths.every((w) => w > 0) || "every width must be at least 1"))
)

/** "0.1,0.01" -> [0.1, 0.01]; each value checked by the configuration's schema. */
const NumberList = Schema.String.pipe(
  Schema.decodeTo(Schema.Array(Schema.Finite), {
    decode: SchemaGetter.split({ separator: "," }).pipe(SchemaGetter.map((parts) => parts.map(Number))),
    encode: SchemaGetter.transform((values) => values.join(","))
  })
)

interface ConfigFlag<A> {
  readonly flag: Flag.Flag<Option.Option<A>>
  /** The dotted field of ConfigOverrides the flag sets. */
  readonly field: string
  /** The field's value for the flag's value; undefined leaves the field alone. */
  readonly value: (value: A) => unknown
}

const valueAt = (record: unknown, field: string): unknown =>
  field.split(".").reduce<unknown>(
    (inner, key) => (typeof inner === "object" && inner !== null ? (inner as Record<string, unknown>)[key] : undefined),
    record
  )

/** "[default: 10]" from the defaults every preset starts from (a preset may change it; --print-config shows the result). */
const defaultNote = (field: string): string => {
  const value = valueAt(defaults, field)
  return value === undefined ? "" : ` [default: ${Array.isArray(value) ? value.join(",") : String(value)}]`
}

const configFlag = <A>(
  flag: Flag.Flag<A>,
  field: string,
  description: string,
  value: (value: A) => unknown = (a) => a
): ConfigFlag<A> => ({
  flag: flag.pipe(Flag.withDescription(description + defaultNote(field)), Flag.optional),
  field,
  value
})

export const configFlags = {
  protocol: configFlag(
    Flag.Literals("protocol", Protocol.literals),
    "protocol",
    "paper: select each net's learning rate from the paper's grid with early stopping " +
      `(patience ${PAPER_PROTOCOL.patience}, at most ${PAPER_PROTOCOL.epochs} epochs; Table 1 and Figure 3 default to it); ` +
      "shortcut: the configuration's own rate and epochs"
  ),
  epochs: configFlag(Flag.Int("epochs"), "training.epochs", "number of training epochs (the cap, with --patience)"),
  trainSize: configFlag(
    Flag.Int("train-size"),
    "dataset.trainSize",
    "use only the first N training examples (quick runs; default all of the paper's split)"
  ),
  evalSize: configFlag(
    Flag.Int("eval-size"),
    "dataset.evaluationSize",
    "use only the first N validation and test examples (quick runs; default all)"
  ),
  symmetricInputs: configFlag(
    Flag.Boolean("symmetric-inputs"),
    "dataset.inputs",
    "scale pixels to [-1, 1] instead of [0, 1] (a distinct run; not with pre-training) [default: off]",
    (on) => (on ? "symmetric" : undefined)
  ),
  hidden: configFlag(
    Flag.String("hidden").pipe(Flag.withSchema(HiddenLayers)),
    "training.hiddenLayers",
    "hidden layer widths, comma-separated, e.g. 1000,1000,1000"
  ),
  pretrainEpochs: configFlag(
    Flag.Int("pretrain-epochs"),
    "pretraining.epochs",
    "epochs per pre-trained layer (pipelines with pre-training)"
  ),
  seed: configFlag(Flag.Int("seed"), "seed", "the run's seed (weights, shuffling, noise)"),
  batchSize: configFlag(Flag.Int("batch-size"), "training.batchSize", "minibatch size"),
  learningRate: configFlag(Flag.Finite("learning-rate"), "training.learningRate", "SGD learning rate"),
  learningRates: configFlag(
    Flag.String("learning-rates").pipe(Flag.withSchema(NumberList)),
    "training.learningRates",
    "train once per rate, comma-separated, and keep the best on validation error"
  ),
  selectLearningRate: configFlag(
    Flag.Boolean("select-learning-rate"),
    "training.learningRates",
    `the paper's grid: --learning-rates ${PAPER_LEARNING_RATES.join(",")}`,
    (on) => (on ? PAPER_LEARNING_RATES : undefined)
  ),
  momentum: configFlag(Flag.Finite("momentum"), "training.momentum", "SGD momentum in [0, 1) (default 0)"),
  weightDecay: configFlag(Flag.Finite("weight-decay"), "training.weightDecay", "L2 weight decay (default 0)"),
  l1: configFlag(Flag.Finite("l1"), "training.l1Penalty", "L1 penalty on hidden activations"),
  patience: configFlag(Flag.Int("patience"), "training.patience", "stop after N epochs without a lower validation error"),
  conv: configFlag(
    Flag.String("conv").pipe(Flag.withSchema(integerList("channels"))),
    "training.model",
    "train a conv net with these channels per stage (5x5 kernels, 2x2 max-pooling), e.g. 16,32",
    (channels) => ({ kind: "conv", channels, kernelSize: 5, pool: 2 })
  ),
  diagnosticExamples: configFlag(
    Flag.Int("diagnostic-examples"),
    "training.diagnosticExamples",
    "validation examples the per-epoch diagnostics use (0: none)"
  ),
  backend: configFlag(
    Flag.Literals("backend", BackendChoice.literals),
    "backend",
    "tensor backend; auto takes the fastest that loads"
  ),
  threads: configFlag(Flag.Int("threads"), "threads", "threads for multi-threaded backends"),
  sparseProducts: configFlag(
    Flag.Boolean("sparse-products"),
    "sparseProducts",
    "native backend: products skip the zeros of sparse operands (a distinct run; rounding differs in the last bits) [default: off]",
    (on) => (on ? "auto" : null)
  ),
  flushSubnormals: configFlag(
    Flag.Boolean("flush-subnormals"),
    "subnormals",
    "native backend, one thread: flush subnormal floats to zero, far faster once gradients underflow (a distinct run) [default: off]",
    (on) => (on ? "flush" : null)
  )
}

type ConfigFlags = typeof configFlags
export type ConfigFlagValues = {
  readonly [K in keyof ConfigFlags]: ConfigFlags[K]["flag"] extends Flag.Flag<infer A> ? A : never
}

/** The flags themselves, for Command.make. */
export const configFlagParams = Object.fromEntries(
  Object.entries(configFlags).map(([key, spec]) => [key, spec.flag])
) as { readonly [K in keyof ConfigFlags]: ConfigFlags[K]["flag"] }

const flagName = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`

/**
 * The flags the user gave, as ConfigOverrides (unvalidated). `--pretrain-epochs`
 * becomes a pre-training override without a `kind`: it changes the epochs of
 * whatever stack each run (each sweep cell) has, and nothing else.
 */
export const overridesFromFlags = (input: ConfigFlagValues): Record<string, unknown> => {
  const overrides: Record<string, Record<string, unknown> | unknown> = {}
  for (const [key, spec] of Object.entries(configFlags) as Array<[keyof ConfigFlags, ConfigFlag<unknown>]>) {
    const given = input[key] as Option.Option<unknown>
    if (Option.isNone(given)) continue
    const value = spec.value(given.value)
    if (value === undefined) continue
    const [group, field] = spec.field.split(".") as [string, string | undefined]
    if (field === undefined) overrides[group] = value
    else overrides[group] = { ...(overrides[group] as Record<string, unknown> | undefined), [field]: value }
  }
  return overrides
}

/** The flags that set `field` (or a field inside it), e.g. `training.epochs` -> --epochs. */
const flagsFor = (field: string): ReadonlyArray<string> =>
  Object.entries(configFlags)
    .filter(([, spec]) => field === spec.field || field.startsWith(`${spec.field}.`) || field.startsWith(`${spec.field}[`))
    .map(([key]) => flagName(key))

/** A problem in the flags' values, reported against the flag: "--epochs (training.epochs): Expected ...". */
export const flagProblems = (error: ConfigInvalid): CliError.UserError =>
  new CliError.UserError({
    cause: error,
    userMessage: error.problems.map((p) => {
      const flags = flagsFor(p.field.replace(/\.\d+$/, ""))
      return `${flags.length === 0 ? p.field : `${flags.join(" / ")} (${p.field})`}: ${p.problem}`
    }).join("\n")
  })
