/**
 * Estimated run times on this machine, from one measured training
 * throughput per backend (the only place such figures live) scaled by the
 * run's size: multiply-adds per example and examples per epoch.
 *
 * How the figure was measured: `pnpm run pipeline mnist-relu --epochs 1
 * --train-size 2000 --eval-size 500 --backend wasm` on the 2-core Zen3
 * development machine while ~5 other jobs shared it (load average 6-7):
 * 52.7 s for the epoch (2,000 examples at minibatch 10 on the 784-1000-1000-
 * 1000-10 net, plus 1,000 evaluated), 30.6 s of it on the CPU. Wall-clock
 * rates are what a user of a shared machine sees; on an idle machine expect
 * about twice as fast.
 *
 * Each run also pays a fixed start-up (worker process, tfjs backend, reading
 * MNIST, writing the record): `pnpm run pipeline smoke --parallel 2` took
 * 35 s of wall time for 4 tiny runs, about 15 s per run at one at a time.
 */
import type { BackendChoice } from "@rectifier/backend"
import { addonBuilt } from "@rectifier/backend-native"
import type { DatasetName, RunConfig } from "@rectifier/record"
import { paperSplit } from "./RunData.ts"

interface Throughput {
  /** Training examples per second (forward + backward + update) on the reference net at minibatch 10. */
  readonly samplesPerSecond: number
  readonly measured: string
}

/** Measured training throughput per backend on the 784-1000-1000-1000-10 net; only measured backends appear. */
export const throughput: Partial<Record<Exclude<BackendChoice, "auto">, Throughput>> = {
  wasm: { samplesPerSecond: 38, measured: "2026-11-29, tfjs-backend-wasm 4.22, minibatch 10, 2 shared cores" },
  native: {
    samplesPerSecond: 1410,
    measured: "2026-11-29, OpenBLAS 0.3.21 addon, 1 thread, minibatch 10: the default `pnpm run pipeline mnist-relu` " +
      "took 415.9 s for 10 epochs of 50,000 examples plus 20,000 evaluated each"
  }
}

/** Fixed cost of one run beyond its training (see the module comment). */
export const RUN_OVERHEAD_SECONDS = 15

const shape: Record<DatasetName, { readonly inputs: number; readonly classes: number }> = {
  mnist: { inputs: 784, classes: 10 },
  "fashion-mnist": { inputs: 784, classes: 10 },
  emnist: { inputs: 784, classes: 62 },
  cifar10: { inputs: 3072, classes: 10 },
  norb: { inputs: 2048, classes: 6 },
  "norb-small": { inputs: 2048, classes: 5 }
}

const weights = (widths: ReadonlyArray<number>) => widths.slice(1).reduce((sum, width, i) => sum + width * widths[i]!, 0)
const reference = weights([784, 1000, 1000, 1000, 10])

/** The backend whose figure an estimate uses: the one asked for, or for "auto" the one auto would pick here. */
export const estimateBackend = (config: RunConfig): Exclude<BackendChoice, "auto"> =>
  config.backend !== "auto" ? config.backend : addonBuilt() ? "native" : "wasm"

/**
 * Epochs `config` trains at most, over all of its learning-rate candidates:
 * the first runs to the epoch cap; with pruning, each later one at least to
 * the pruning point (a candidate that keeps up runs longer, one that stalls
 * stops sooner), else to the cap too.
 */
export const plannedEpochs = (config: RunConfig): number => {
  const candidates = config.training.learningRates?.length ?? 1
  const later = Math.min(config.training.epochs, config.training.candidatePruning?.afterEpochs ?? config.training.epochs)
  return config.training.epochs + (candidates - 1) * later
}

/**
 * Seconds `config` should take: epochs (of every learning-rate candidate) x
 * (training examples + evaluation at a third of a training step's cost) x the
 * net's size relative to the reference, plus pre-training (once per rate it
 * selects from); undefined when the backend has no measured figure.
 */
export const estimateSeconds = (config: RunConfig): number | undefined => {
  const measured = throughput[estimateBackend(config)]
  if (measured === undefined) return undefined
  const { inputs, classes } = shape[config.dataset.name]
  const width = config.training.activation === "maxout" ||
      (typeof config.training.activation === "object" && config.training.activation.name === "maxout")
    ? 2
    : 1
  const relative = width * weights([inputs, ...config.training.hiddenLayers, classes]) / reference
  const split = paperSplit(config.dataset.name)
  const trainSize = config.dataset.trainSize ?? split.train
  const trainExamples = trainSize * config.dataset.labelledFraction
  const evaluated = (config.dataset.evaluationSize === undefined
    ? split.validation + split.test
    : 2 * config.dataset.evaluationSize) / 3
  const pretrainingRates = config.pretraining?.kind === "dae" && config.pretraining.layerLearningRates === undefined
    ? config.pretraining.learningRates?.length ?? 1
    : 1
  const pretraining = config.pretraining === undefined ? 0 : trainSize * config.pretraining.epochs * pretrainingRates
  return RUN_OVERHEAD_SECONDS +
    (relative * (plannedEpochs(config) * (trainExamples + evaluated) + pretraining)) / measured.samplesPerSecond
}

