/**
 * Benchmark: one CD-1 pass of a 784-500 binary RBM over MNIST training
 * examples, ours (on the fastest tensor backend available) against
 * scikit-learn's BernoulliRBM (Debian python3-sklearn) in the same run, at
 * minibatch sizes 10 and 100: examples per second and their ratio.
 *
 * scikit-learn's RBM does one Gibbs step per update from persistent chains
 * (PCD-1, the same products as CD-1) with no momentum or weight cost, and
 * takes its negative statistics at a sampled visible state, so ours is timed
 * twice: with the practical guide's CD-1 settings (momentum, weight cost,
 * probability reconstructions), and with scikit-learn's (PCD-1, learning rate
 * 0.1 only, sampled reconstructions unless `--pcd-reconstruction
 * probabilities`).
 *
 *   pnpm exec node packages/rbm/bench/cd1.ts [--examples 10000] [--batches 10,100]
 *     [--threads 1] [--backend auto] [--rounds 1] [--pcd-reconstruction samples]
 *     [--sparse-products]
 *
 * `--examples 50000` times a full epoch. `--threads` applies to both sides
 * (wasm threads here; OPENBLAS/OMP_NUM_THREADS for NumPy). Each batch size
 * times ours and then scikit-learn's, each in a process of its own (a fresh
 * Node per contender, a fresh Python; starts untimed);
 * `--rounds n` repeats the whole n times and reports each round's ratios and
 * the medians (the shared machine's load drifts from second to second).
 * `--sparse-products` turns on the native backend's zero-skipping products
 * (a run's `sparseProducts: "auto"`): the pixels and the binary visible
 * samples are mostly zeros.
 */
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { type BackendChoice, TensorBackend } from "@rectifier/backend"
import { RandomStream } from "@rectifier/core"
import { loadMnist } from "@rectifier/datasets"
import { Effect, Logger } from "effect"
import { initialRbm, type RbmTrainingOptions, type Rows, sliceRows, trainRbm } from "../src/index.ts"

const { values: flags } = parseArgs({
  options: {
    examples: { type: "string", default: "10000" },
    batches: { type: "string", default: "10,100" },
    threads: { type: "string", default: "1" },
    backend: { type: "string", default: "auto" },
    rounds: { type: "string", default: "1" },
    "pcd-reconstruction": { type: "string", default: "samples" },
    "sparse-products": { type: "boolean", default: false },
    // Internal: time one of our contenders in this process and print its rate as JSON (see `timeApart`).
    contender: { type: "string" }
  }
})
const examples = Number(flags.examples)
const batches = flags.batches.split(",").map(Number)
const threads = Number(flags.threads)
const rounds = Number(flags.rounds)
const pcdReconstruction = flags["pcd-reconstruction"]
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds: expected a positive integer, got ${flags.rounds}`)
if (pcdReconstruction !== "samples" && pcdReconstruction !== "probabilities") {
  throw new Error(`--pcd-reconstruction: expected samples or probabilities, got ${pcdReconstruction}`)
}
const HIDDEN = 500
const LEARNING_RATE = 0.1

const APT_HINT = "apt-get install python3-sklearn"

/** The first Python that imports scikit-learn: Debian's own, then whatever is on PATH. */
const findPython = (): string | undefined =>
  ["/usr/bin/python3", "python3"].find((python) =>
    spawnSync(python, ["-c", "import sklearn"], { stdio: "ignore" }).status === 0
  )

const PYTHON_BENCH = String.raw`
import json, sys, time
import numpy as np
from sklearn.neural_network import BernoulliRBM
path, count, features, hidden, lr = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
batches = [int(b) for b in sys.argv[6].split(",")]
data = np.fromfile(path, dtype=np.float32).reshape(count, features)
blas = sorted({line.split()[-1] for line in open("/proc/self/maps") if "libblas" in line or "openblas" in line or "mkl" in line})
import sklearn
results = {"sklearn": sklearn.__version__, "numpy": np.__version__, "blas": blas, "rows": []}
for batch in batches:
    BernoulliRBM(n_components=hidden, learning_rate=lr, batch_size=batch, n_iter=1, random_state=0).fit(data[:200])
    rbm = BernoulliRBM(n_components=hidden, learning_rate=lr, batch_size=batch, n_iter=1, random_state=0)
    start = time.perf_counter()
    rbm.fit(data)
    seconds = time.perf_counter() - start
    results["rows"].append({"batch": batch, "seconds": seconds})
print(json.dumps(results))
`

interface SklearnResult {
  readonly sklearn: string
  readonly numpy: string
  readonly blas: ReadonlyArray<string>
  readonly rows: ReadonlyArray<{ readonly batch: number; readonly seconds: number }>
}

const runSklearn = (python: string, rows: Rows, batches: ReadonlyArray<number>): SklearnResult => {
  const folder = mkdtempSync(join(tmpdir(), "rbm-bench-"))
  try {
    const file = join(folder, "inputs.f32")
    writeFileSync(file, new Uint8Array(rows.inputs.buffer, rows.inputs.byteOffset, rows.inputs.byteLength))
    const env = { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) }
    const run = spawnSync(
      python,
      ["-c", PYTHON_BENCH, file, String(rows.count), String(rows.features), String(HIDDEN), String(LEARNING_RATE), batches.join(",")],
      { env, encoding: "utf8", maxBuffer: 1 << 20 }
    )
    if (run.status !== 0) throw new Error(`scikit-learn benchmark failed:\n${run.stderr}`)
    return JSON.parse(run.stdout) as SklearnResult
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}

const guideCd1 = (batchSize: number): RbmTrainingOptions => ({
  epochs: 1,
  learningRate: LEARNING_RATE,
  batchSize,
  method: "cd",
  k: 1,
  reconstruction: "probabilities",
  initialMomentum: 0.5,
  finalMomentum: 0.9,
  momentumSwitchEpoch: 5,
  weightCost: 2e-4,
  monitorSize: 1,
  exactLikelihoodMaxHidden: 0
})

const sklearnPcd1 = (batchSize: number): RbmTrainingOptions => ({
  ...guideCd1(batchSize),
  method: "pcd",
  reconstruction: pcdReconstruction,
  initialMomentum: 0,
  finalMomentum: 0,
  weightCost: 0
})

/** Examples per second of one pass over `rows` (the epoch's own timing, monitoring excluded). */
const timeOurs = (rows: Rows, options: RbmTrainingOptions) =>
  Effect.gen(function*() {
    const shape = { visibleUnits: "bernoulli", hiddenUnits: "bernoulli", hidden: HIDDEN, initialStd: 0.01 } as const
    const streams = () => ({ order: RandomStream.derive(1, "order"), sampling: RandomStream.derive(1, "sampling"), monitor: RandomStream.derive(1, "monitor") })
    const warmup = sliceRows(rows, 0, Math.min(rows.count, 200))
    yield* trainRbm(initialRbm(shape, warmup, RandomStream.derive(1, "init")), options, warmup, undefined, streams())
    const { curve } = yield* trainRbm(initialRbm(shape, rows, RandomStream.derive(1, "init")), options, rows, undefined, streams())
    return { perSecond: rows.count / curve[0]!.seconds }
  })

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** One round's rates in examples per second, by batch size; the sparse ones with `--sparse-products`. */
interface Round {
  readonly batch: number
  readonly cd1: number
  readonly pcd1: number
  readonly cd1Sparse: number | undefined
  readonly pcd1Sparse: number | undefined
  readonly sklearn: number | undefined
}

const sparseProducts = flags["sparse-products"]

/** One of our contenders: a method's settings, with or without sparse products. */
type Contender = "cd1" | "pcd1" | "cd1-sparse" | "pcd1-sparse"

const optionsOf = (contender: Contender, batch: number): RbmTrainingOptions =>
  contender.startsWith("cd1") ? guideCd1(batch) : sklearnPcd1(batch)

/**
 * Times `contender` in a Node process of its own, as scikit-learn runs in a Python of its own: in
 * one process the methods share V8's compiled code, and a PCD epoch after CD epochs measured 20-40%
 * slower than alone (the JIT's code for the shared functions turns polymorphic).
 */
const timeApart = (contender: Contender, batch: number): { readonly perSecond: number; readonly backend: unknown } => {
  const args = [
    ...process.execArgv,
    process.argv[1]!,
    "--contender",
    contender,
    "--batches",
    String(batch),
    "--examples",
    String(examples),
    "--threads",
    String(threads),
    "--backend",
    flags.backend,
    "--pcd-reconstruction",
    pcdReconstruction,
    ...(contender.endsWith("-sparse") ? ["--sparse-products"] : [])
  ]
  const run = spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 20 })
  if (run.status !== 0) throw new Error(`timing ${contender} at batch ${batch} failed:\n${run.stderr}`)
  return JSON.parse(run.stdout.trim().split("\n").at(-1)!)
}

/** The child's side of `timeApart`: one timing, one line of JSON. */
const timeContender = (contender: Contender) =>
  Effect.gen(function*() {
    const mnist = yield* loadMnist({ trainSize: examples })
    const { perSecond } = yield* timeOurs(mnist.train, optionsOf(contender, batches[0]!))
    const backend = yield* TensorBackend.useSync((b) => b.info)
    console.log(JSON.stringify({ perSecond, backend }))
  }).pipe(
    Effect.provide(TensorBackend.layer({
      backend: flags.backend as BackendChoice,
      threads,
      sparse: flags["sparse-products"] ? "auto" : "off"
    })),
    Effect.scoped
  )

const main = Effect.gen(function*() {
  const mnist = yield* loadMnist({ trainSize: examples })
  const rows = mnist.train
  const python = findPython()
  const results: Array<Round> = []
  let sklearn: SklearnResult | undefined
  let backend: { readonly tfjsCore: string; readonly name: string; readonly details: unknown } | undefined
  for (let round = 0; round < rounds; round++) {
    for (const batch of batches) {
      const cd1 = timeApart("cd1", batch)
      backend = cd1.backend as typeof backend
      const pcd1 = timeApart("pcd1", batch)
      const cd1Sparse = sparseProducts ? timeApart("cd1-sparse", batch) : undefined
      const pcd1Sparse = sparseProducts ? timeApart("pcd1-sparse", batch) : undefined
      sklearn = python === undefined ? undefined : runSklearn(python, rows, [batch])
      const theirs = sklearn?.rows[0]
      results.push({
        batch,
        cd1: cd1.perSecond,
        pcd1: pcd1.perSecond,
        cd1Sparse: cd1Sparse?.perSecond,
        pcd1Sparse: pcd1Sparse?.perSecond,
        sklearn: theirs === undefined ? undefined : rows.count / theirs.seconds
      })
    }
  }
  console.log(`784-${HIDDEN} RBM, one pass over ${rows.count} MNIST examples, learning rate ${LEARNING_RATE}, ${threads} thread(s)`)
  console.log(
    `ours: tfjs ${backend?.tfjsCore} on ${backend?.name} (${JSON.stringify(backend?.details)}); PCD-1 with ${pcdReconstruction} reconstructions` +
      (sparseProducts ? "; each also with sparse products on (zeros skipped)" : "")
  )
  if (sklearn !== undefined) {
    console.log(`scikit-learn ${sklearn.sklearn} (${python}), NumPy ${sklearn.numpy}, BLAS ${sklearn.blas.join(", ") || "unknown"}`)
  }
  const cell = (value: number | undefined, digits = 0) => (value === undefined ? "n/a" : value.toFixed(digits))
  const ratio = (ours: number | undefined, theirs: number | undefined) =>
    ours === undefined || theirs === undefined ? undefined : ours / theirs
  const contenders: ReadonlyArray<readonly [string, (r: Round) => number | undefined]> = [
    ["CD-1, guide", (r) => r.cd1],
    ["PCD-1, sklearn settings", (r) => r.pcd1],
    ...(sparseProducts
      ? [["CD-1 sparse", (r: Round) => r.cd1Sparse], ["PCD-1 sparse", (r: Round) => r.pcd1Sparse]] as const
      : [])
  ]
  if (rounds > 1) {
    console.log("")
    for (const [index, row] of results.entries()) {
      console.log(
        `round ${Math.floor(index / batches.length) + 1}, batch ${row.batch}: ` +
          contenders.map(([name, pick]) => `${name} ${cell(ratio(pick(row), row.sklearn), 2)}x`).join(", ")
      )
    }
  }
  console.log("")
  console.log(
    `| batch | ${contenders.map(([name]) => `ours ${name} (ex/s)`).join(" | ")} | sklearn BernoulliRBM (ex/s) | ` +
      `${contenders.map(([name]) => `ratio ${name}`).join(" | ")} |` + (rounds > 1 ? ` (medians of ${rounds} rounds)` : "")
  )
  console.log(`|---|${contenders.map(() => "---|---|").join("")}---|`)
  for (const batch of batches) {
    const mine = results.filter((r) => r.batch === batch)
    const theirs = mine.flatMap((r) => (r.sklearn === undefined ? [] : [r.sklearn]))
    const medianOf = (values: ReadonlyArray<number | undefined>) => {
      const known = values.filter((v): v is number => v !== undefined)
      return known.length === 0 ? undefined : median(known)
    }
    console.log(
      `| ${batch} | ${contenders.map(([, pick]) => cell(medianOf(mine.map(pick)))).join(" | ")} | ${cell(medianOf(theirs))} | ` +
        `${contenders.map(([, pick]) => `${cell(medianOf(mine.map((r) => ratio(pick(r), r.sklearn))), 2)}x`).join(" | ")} |`
    )
  }
  if (sklearn === undefined) {
    console.log(`\nscikit-learn was not found, so there is nothing to compare against. Install it with:\n  ${APT_HINT}`)
    process.exitCode = 1
  }
})

const contender = flags.contender as Contender | undefined
Effect.runPromise((contender === undefined ? main : timeContender(contender)).pipe(Effect.provide(Logger.layer([])))).catch((error) => {
  console.error(error)
  process.exit(1)
})
