/** The benchmark's command line: `train` or `activations`, then --flag value pairs. */
import { Effect } from "effect"
import { BackendName } from "@rectifier/backend"
import { BenchUsageError } from "./BenchError.ts"

export interface BenchOptions {
  readonly command: "train" | "activations"
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

export const usage = `usage: pnpm run bench <train|activations> [flags]
  --backends native,wasm    tfjs backends to measure (train default: native,wasm; activations: native,wasm,cpu)
  --batches 10,100,500      minibatch sizes (train)
  --steps 100               timed SGD steps per backend and batch size (train)
  --warmup 5                untimed steps first (train)
  --rounds 3                measurements per backend, interleaved; the best counts (shared machines are noisy)
  --threads 1               threads for native, wasm and PyTorch
  --seed 1                  seed of the weights and data
  --lr 0.01                 learning rate
  --no-torch                skip PyTorch
  --out FILE                JSON results (default runs/bench/<command>-<time>.json)`

const positiveInt = (flag: string, text: string) =>
  /^[1-9][0-9]*$/.test(text)
    ? Effect.succeed(Number(text))
    : Effect.fail(new BenchUsageError({ flag, expected: "a positive integer", got: text }))

export const parseOptions = Effect.fnUntraced(function*(argv: ReadonlyArray<string>) {
  const command = argv[0]
  if (command !== "train" && command !== "activations") {
    return yield* new BenchUsageError({ flag: "the command", expected: "train or activations", got: command ?? "" })
  }
  const flags = new Map<string, string>()
  let torch = true
  for (let i = 1; i < argv.length; i++) {
    const flag = argv[i]!
    if (flag === "--no-torch") {
      torch = false
      continue
    }
    const value = argv[i + 1]
    if (!flag.startsWith("--") || value === undefined) {
      return yield* new BenchUsageError({ flag, expected: "a known --flag followed by a value", got: value ?? "" })
    }
    flags.set(flag, value)
    i++
  }
  const known = new Set(["--backends", "--batches", "--steps", "--warmup", "--rounds", "--threads", "--seed", "--lr", "--out"])
  for (const flag of flags.keys()) {
    if (!known.has(flag)) return yield* new BenchUsageError({ flag, expected: "one of " + [...known].join(", "), got: flag })
  }
  const defaultBackends = command === "train" ? "native,wasm" : "native,wasm,cpu"
  const backends: Array<BackendName> = []
  for (const name of (flags.get("--backends") ?? defaultBackends).split(",")) {
    if (!BackendName.literals.includes(name as BackendName)) {
      return yield* new BenchUsageError({ flag: "--backends", expected: BackendName.literals.join(" | "), got: name })
    }
    backends.push(name as BackendName)
  }
  const batches: Array<number> = []
  for (const text of (flags.get("--batches") ?? "10,100,500").split(",")) batches.push(yield* positiveInt("--batches", text))
  const lrText = flags.get("--lr") ?? "0.01"
  const learningRate = Number(lrText)
  if (!(learningRate > 0)) return yield* new BenchUsageError({ flag: "--lr", expected: "a positive number", got: lrText })
  const options: BenchOptions = {
    command,
    backends,
    batches,
    steps: yield* positiveInt("--steps", flags.get("--steps") ?? "100"),
    warmup: yield* positiveInt("--warmup", flags.get("--warmup") ?? "5"),
    rounds: yield* positiveInt("--rounds", flags.get("--rounds") ?? "3"),
    threads: yield* positiveInt("--threads", flags.get("--threads") ?? "1"),
    seed: yield* positiveInt("--seed", flags.get("--seed") ?? "1"),
    learningRate,
    torch,
    out: flags.get("--out")
  }
  return options
})
