/**
 * The benchmark's options, one flag each: what it sets, its default (shown in
 * --help) and the Schema that checks its value, so that a malformed value is
 * refused naming the flag ("0x20" is not read as 32, "native,gpu" names gpu).
 * `train` takes them all; `activations`, `products` and `pipeline` only those
 * they use (`pipeline` adds the pipeline's own sizes).
 */
import { BackendName } from "@rectifier/backend"
import { commaList, decimalInteger } from "@rectifier/core"
import { Option, Schema, SchemaGetter } from "effect"
import { Flag } from "effect/cli"

export interface TrainOptions {
  readonly command: "train"
  readonly backends: ReadonlyArray<BackendName>
  readonly batches: ReadonlyArray<number>
  readonly steps: number
  readonly warmup: number
  readonly rounds: number
  readonly threads: number
  readonly seed: number
  readonly learningRate: number
  readonly torch: boolean
  /** Also measure native with its sparse products on (the backend's sparse option), as native-sparse. */
  readonly sparse: boolean
  /** Also measure native and PyTorch with subnormal floats flushed to zero (native-flush, pytorch-flush). */
  readonly flushSubnormals: boolean
  /** The minibatches: seeded uniform inputs (dense), or MNIST's first training images (about 81% zeros). */
  readonly data: "uniform" | "mnist"
  /** Start from a trained run's weights (a run folder or a weights base) instead of fresh ones. */
  readonly weights: string | undefined
  readonly out: string | undefined
}

export interface ActivationOptions {
  readonly command: "activations"
  readonly backends: ReadonlyArray<BackendName>
  readonly threads: number
  readonly out: string | undefined
}

export interface ProductOptions {
  readonly command: "products"
  readonly batches: ReadonlyArray<number>
  readonly densities: ReadonlyArray<number>
  readonly reps: number
  readonly threads: number
  readonly out: string | undefined
}

export interface PipelineOptions {
  readonly command: "pipeline"
  readonly batches: ReadonlyArray<number>
  readonly trainSize: number
  /** Validation and test examples each (the pipeline's --eval-size); undefined: all 10,000. */
  readonly evalSize: number | undefined
  readonly epochs: number
  readonly rounds: number
  readonly threads: number
  readonly seed: number
  readonly torch: boolean
  /** Also run the pipeline with its sparse products on (`--sparse-products`), as rectifier-sparse. */
  readonly sparse: boolean
  readonly out: string | undefined
}

export type BenchOptions = TrainOptions | ActivationOptions | ProductOptions | PipelineOptions

/** A positive decimal integer; "0x20", "1e3", "+5" and "007" are refused, not read as numbers. */
const PositiveDecimal = decimalInteger(1)

/** Comma-separated values, each checked by `item`; a value named twice would be measured twice. */
const listOf = <T extends string | number>(item: Schema.Codec<T, string>) =>
  commaList(item).pipe(
    Schema.check(Schema.makeFilter((values: ReadonlyArray<T>) =>
      new Set(values).size === values.length || `${values.find((v, i) => values.indexOf(v) !== i)} is named twice`
    ))
  )

/** A density: a decimal fraction in (0, 1], such as 0.05 or 1. */
const Density = Schema.String.check(
  Schema.makeFilter((text: string) =>
    (/^(0?\.[0-9]+|1(\.0*)?)$/.test(text) && Number(text) > 0) || `"${text}" is not a decimal fraction in (0, 1]`
  )
).pipe(Schema.decodeTo(Schema.Finite, { decode: SchemaGetter.transform(Number), encode: SchemaGetter.transform(String) }))

const positiveInt = (name: string, description: string, fallback: number) =>
  Flag.String(name).pipe(
    Flag.withSchema(PositiveDecimal),
    Flag.withMetavar("N"),
    Flag.withDescription(`${description} [default: ${fallback}]`),
    Flag.withDefault(fallback)
  )

const backends = (fallback: ReadonlyArray<BackendName>) =>
  Flag.String("backends").pipe(
    Flag.withSchema(listOf(BackendName)),
    Flag.withMetavar("NAMES"),
    Flag.withDescription(
      `tfjs backends to measure, comma-separated, of ${BackendName.literals.join(", ")} [default: ${fallback.join(",")}]`
    ),
    Flag.withDefault(fallback)
  )

const threads = positiveInt("threads", "threads for native, wasm and PyTorch", 1)

const out = Flag.String("out").pipe(
  Flag.withMetavar("FILE"),
  Flag.withDescription("where the JSON results go [default: runs/bench/<command>-<time>.json]"),
  Flag.optional
)

const batches = Flag.String("batches").pipe(
  Flag.withSchema(listOf(PositiveDecimal)),
  Flag.withMetavar("SIZES"),
  Flag.withDescription("minibatch sizes, comma-separated [default: 10,100,500]"),
  Flag.withDefault([10, 100, 500])
)

export const trainFlags = {
  backends: backends(["native", "wasm"]),
  batches,
  steps: positiveInt("steps", "timed SGD steps per backend and batch size", 100),
  warmup: positiveInt("warmup", "untimed steps first", 5),
  rounds: positiveInt(
    "rounds",
    "measurements per backend, interleaved; the best counts (shared machines are noisy)",
    3
  ),
  threads,
  seed: positiveInt("seed", "seed of the weights and data", 1),
  learningRate: Flag.Finite("learning-rate").pipe(
    Flag.withAlias("lr"),
    Flag.withSchema(Schema.Finite.check(Schema.isGreaterThan(0))),
    Flag.withDescription("SGD learning rate, above 0 [default: 0.01]"),
    Flag.withDefault(0.01)
  ),
  sparse: Flag.Boolean("sparse").pipe(
    Flag.withoutNegation,
    Flag.withDescription(
      "also measure native with its sparse products on (the backend's sparse option), as native-sparse [default: off]"
    ),
    Flag.withDefault(false)
  ),
  flushSubnormals: Flag.Boolean("flush-subnormals").pipe(
    Flag.withoutNegation,
    Flag.withDescription(
      "also measure native and PyTorch with subnormal floats flushed to zero, as native-flush and pytorch-flush " +
        "(one thread; matters from a fitted net's weights) [default: off]"
    ),
    Flag.withDefault(false)
  ),
  data: Flag.Literals("data", ["uniform", "mnist"]).pipe(
    Flag.withDescription(
      "the minibatches: seeded uniform inputs and labels, or MNIST's first training images (mostly exact zeros) [default: uniform]"
    ),
    Flag.withDefault("uniform" as const)
  ),
  noTorch: Flag.Boolean("no-torch").pipe(
    Flag.withoutNegation,
    Flag.withDescription("skip PyTorch (measure the tfjs backends only, without ratios)"),
    Flag.withDefault(false)
  ),
  weights: Flag.String("weights").pipe(
    Flag.withMetavar("PATH"),
    Flag.withDescription(
      "start from a trained net: a run folder (its latest checkpoint) or a weights base (<base>.json + <base>.bin); " +
        "the activation is the run's (use with --data mnist) [default: fresh Glorot weights]"
    ),
    Flag.optional
  ),
  out
}

/** A positive decimal integer of at most `maximum` (MNIST's split holds 50,000 training and 10,000 validation and test examples). */
const atMost = (maximum: number) => PositiveDecimal.check(Schema.isLessThanOrEqualTo(maximum))

export const pipelineFlags = {
  batches,
  trainSize: Flag.String("train-size").pipe(
    Flag.withSchema(atMost(50000)),
    Flag.withMetavar("N"),
    Flag.withDescription("MNIST training examples each contender trains on (the pipeline's --train-size), at most 50000 [default: 20000]"),
    Flag.withDefault(20000)
  ),
  evalSize: Flag.String("eval-size").pipe(
    Flag.withSchema(atMost(10000)),
    Flag.withMetavar("N"),
    Flag.withDescription("validation and test examples each (the pipeline's --eval-size), at most 10000 [default: all 10000]"),
    Flag.optional
  ),
  epochs: positiveInt("epochs", "epochs each contender trains, evaluating validation and test after each", 2),
  rounds: positiveInt("rounds", "runs of each contender per minibatch size, interleaved; the median of per-round ratios counts", 3),
  threads,
  seed: positiveInt("seed", "the pipeline's seed (PyTorch seeds its own draws with it)", 1),
  noTorch: Flag.Boolean("no-torch").pipe(
    Flag.withoutNegation,
    Flag.withDescription("skip PyTorch (time the pipeline only, without ratios)"),
    Flag.withDefault(false)
  ),
  sparse: Flag.Boolean("sparse").pipe(
    Flag.withoutNegation,
    Flag.withDescription("also run the pipeline with --sparse-products, as rectifier-sparse [default: off]"),
    Flag.withDefault(false)
  ),
  out
}

export const productFlags = {
  batches,
  densities: Flag.String("densities").pipe(
    Flag.withSchema(listOf(Density)),
    Flag.withMetavar("FRACTIONS"),
    Flag.withDescription("densities of the sparse operand (nonzero share), comma-separated [default: 0.05,0.1,0.2,0.3,0.5]"),
    Flag.withDefault([0.05, 0.1, 0.2, 0.3, 0.5])
  ),
  reps: positiveInt("reps", "timed calls of each product per measurement", 10),
  threads,
  out
}

export const activationFlags = {
  backends: backends(["native", "wasm", "cpu"]),
  threads,
  out
}

type Values<Flags> = { readonly [K in keyof Flags]: Flags[K] extends Flag.Flag<infer A> ? A : never }

export const trainOptions = (input: Values<typeof trainFlags>): TrainOptions => ({
  command: "train",
  backends: input.backends,
  batches: input.batches,
  steps: input.steps,
  warmup: input.warmup,
  rounds: input.rounds,
  threads: input.threads,
  seed: input.seed,
  learningRate: input.learningRate,
  torch: !input.noTorch,
  sparse: input.sparse,
  flushSubnormals: input.flushSubnormals,
  data: input.data,
  weights: Option.getOrUndefined(input.weights),
  out: Option.getOrUndefined(input.out)
})

export const activationOptions = (input: Values<typeof activationFlags>): ActivationOptions => ({
  command: "activations",
  backends: input.backends,
  threads: input.threads,
  out: Option.getOrUndefined(input.out)
})

export const pipelineOptions = (input: Values<typeof pipelineFlags>): PipelineOptions => ({
  command: "pipeline",
  batches: input.batches,
  trainSize: input.trainSize,
  evalSize: Option.getOrUndefined(input.evalSize),
  epochs: input.epochs,
  rounds: input.rounds,
  threads: input.threads,
  seed: input.seed,
  torch: !input.noTorch,
  sparse: input.sparse,
  out: Option.getOrUndefined(input.out)
})

export const productOptions = (input: Values<typeof productFlags>): ProductOptions => ({
  command: "products",
  batches: input.batches,
  densities: input.densities,
  reps: input.reps,
  threads: input.threads,
  out: Option.getOrUndefined(input.out)
})
