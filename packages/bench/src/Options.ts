/**
 * The benchmark's options, one flag each: what it sets, its default (shown in
 * --help) and the Schema that checks its value, so that a malformed value is
 * refused naming the flag ("0x20" is not read as 32, "native,gpu" names gpu).
 * `train` takes them all; `activations` only those it uses.
 */
import { BackendName } from "@rectifier/backend"
import { commaList, decimalInteger } from "@rectifier/core"
import { Option, Schema } from "effect"
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
  readonly out: string | undefined
}

export interface ActivationOptions {
  readonly command: "activations"
  readonly backends: ReadonlyArray<BackendName>
  readonly threads: number
  readonly out: string | undefined
}

export type BenchOptions = TrainOptions | ActivationOptions

/** A positive decimal integer; "0x20", "1e3", "+5" and "007" are refused, not read as numbers. */
const PositiveDecimal = decimalInteger(1)

/** Comma-separated values, each checked by `item`; a value named twice would be measured twice. */
const listOf = <T extends string | number>(item: Schema.Codec<T, string>) =>
  commaList(item).pipe(
    Schema.check(Schema.makeFilter((values: ReadonlyArray<T>) =>
      new Set(values).size === values.length || `${values.find((v, i) => values.indexOf(v) !== i)} is named twice`
    ))
  )

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

export const trainFlags = {
  backends: backends(["native", "wasm"]),
  batches: Flag.String("batches").pipe(
    Flag.withSchema(listOf(PositiveDecimal)),
    Flag.withMetavar("SIZES"),
    Flag.withDescription("minibatch sizes, comma-separated [default: 10,100,500]"),
    Flag.withDefault([10, 100, 500])
  ),
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
  noTorch: Flag.Boolean("no-torch").pipe(
    Flag.withoutNegation,
    Flag.withDescription("skip PyTorch (measure the tfjs backends only, without ratios)"),
    Flag.withDefault(false)
  ),
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
  out: Option.getOrUndefined(input.out)
})

export const activationOptions = (input: Values<typeof activationFlags>): ActivationOptions => ({
  command: "activations",
  backends: input.backends,
  threads: input.threads,
  out: Option.getOrUndefined(input.out)
})
