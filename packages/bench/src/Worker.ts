/**
 * What one benchmark child process does: select one backend through the
 * backend layer, run one measurement, and print its result as a JSON line.
 * Each measurement runs in its own process so that peak memory is its own.
 */
import * as tf from "@tensorflow/tfjs-core"
import { family } from "@rectifier/activations"
import { BackendName, type Capabilities, TensorBackend } from "@rectifier/backend"
import { RandomStream } from "@rectifier/core"
import { Effect, Layer, Schema } from "effect"
import { join } from "node:path"
import { makeTrainee, trainStep } from "./TrainStep.ts"
import { classes, layerSizes, readActivation, readFloats } from "./Workload.ts"

export const TrainJob = Schema.Struct({
  kind: Schema.Literal("train"),
  backend: BackendName,
  threads: Schema.Int,
  /** native only: its products skip the zeros of sparse operands (native-sparse). */
  sparse: Schema.optionalKey(Schema.Boolean),
  /** native only: its kernels flush subnormal floats to zero (native-flush). */
  flushSubnormals: Schema.optionalKey(Schema.Boolean),
  dir: Schema.String,
  batch: Schema.Int,
  batches: Schema.Int,
  steps: Schema.Int,
  warmup: Schema.Int,
  learningRate: Schema.Finite
})
export type TrainJob = typeof TrainJob.Type

export const ActivationJob = Schema.Struct({
  kind: Schema.Literal("activations"),
  backend: BackendName,
  threads: Schema.Int,
  rows: Schema.Int,
  columns: Schema.Int,
  reps: Schema.Int
})
export type ActivationJob = typeof ActivationJob.Type

/** What Measure.ts hands a child process (on its command line, as JSON); the child decodes it with this schema. */
export const Job = Schema.Union([TrainJob, ActivationJob])
export type Job = typeof Job.Type

/** The child's result is printed on stdout after this marker, as one JSON object (ResultLine.ts reads it). */
export const resultMarker = "BENCH-RESULT "

const peakRssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024)

const train = (job: TrainJob, capabilities: Capabilities) => Effect.gen(function*() {
  const inputs = layerSizes[0]!
  const weights = layerSizes.slice(0, -1).map((_, i) => readFloats(join(job.dir, `w${i}.f32`)))
  const biases = layerSizes.slice(0, -1).map((_, i) => readFloats(join(job.dir, `b${i}.f32`)))
  const trainee = makeTrainee(weights, biases, layerSizes, capabilities, readActivation(job.dir))
  const xs = readFloats(join(job.dir, `x-${job.batch}.f32`))
  const ys = readFloats(join(job.dir, `y-${job.batch}.f32`))
  const x = Array.from({ length: job.batches }, (_, i) =>
    tf.tensor2d(xs.slice(i * job.batch * inputs, (i + 1) * job.batch * inputs), [job.batch, inputs]))
  const y = Array.from({ length: job.batches }, (_, i) =>
    tf.tensor2d(ys.slice(i * job.batch * classes, (i + 1) * job.batch * classes), [job.batch, classes]))
  const losses: Array<number> = []
  const step = (s: number, keepLoss: boolean) => {
    const loss = trainStep(trainee, x[s % job.batches]!, y[s % job.batches]!, job.learningRate)
    if (keepLoss) losses.push(loss)
  }
  for (let s = 0; s < job.warmup; s++) step(s, false)
  const tensorsBefore = tf.memory().numTensors
  const rssBefore = process.memoryUsage().rss
  const start = performance.now()
  for (let s = 0; s < job.steps; s++) step(job.warmup + s, s === job.steps - 1)
  const seconds = (performance.now() - start) / 1000
  const tensorsAfter = tf.memory().numTensors
  const rssGrowthMiB = Math.round((process.memoryUsage().rss - rssBefore) / (1024 * 1024))
  // One more step, untimed, under tfjs's profiler: how many kernels (and op scopes) the engine dispatches a step.
  const profile = yield* Effect.promise(() => tf.profile(() => step(job.warmup + job.steps, false)))
  return {
    samplesPerSecond: (job.steps * job.batch) / seconds,
    seconds,
    finalLoss: losses[0]!,
    tensorsBefore,
    tensorsAfter,
    kernelsPerStep: profile.kernels.length,
    rssGrowthMiB,
    peakRssMiB: peakRssMiB()
  }
})

const activations = (job: ActivationJob) => Effect.sync(() => {
  const stream = RandomStream.derive(1, "bench/activations")
  const x = tf.tensor2d(stream.fillUniform(new Float32Array(job.rows * job.columns), -3, 3), [job.rows, job.columns])
  const context = { training: true, noise: RandomStream.derive(2, "bench/activation-noise") }
  const results: Record<string, number> = {}
  for (const [name, activation] of Object.entries(family)) {
    const parameters = activation.parameters(job.columns / activation.fanInFactor).map((p) => tf.tensor(p.initial))
    const gradient = tf.grads((input: tf.Tensor) => activation.apply(input as tf.Tensor2D, parameters, context))
    // The upstream gradient has the output's shape (maxout has fewer outputs than inputs).
    const dy = tf.tidy(() => tf.onesLike(activation.apply(x, parameters, context)))
    const run = () => tf.dispose(gradient([x], dy))
    run()
    const start = performance.now()
    for (let r = 0; r < job.reps; r++) run()
    const seconds = (performance.now() - start) / 1000
    results[name] = (job.reps * job.rows * job.columns) / seconds
    tf.dispose([...parameters, dy])
  }
  return { elementsPerSecond: results, peakRssMiB: peakRssMiB() }
})

/** Runs `job` on its backend and prints the result line. */
export const runJob = (job: Job) =>
  Effect.scoped(Effect.gen(function*() {
    const context = yield* Layer.build(TensorBackend.layer({
      backend: job.backend,
      threads: job.threads,
      sparse: job.kind === "train" && job.sparse === true ? "auto" : "off",
      subnormals: job.kind === "train" && job.flushSubnormals === true ? "flush" : "keep"
    }))
    const { capabilities, info } = yield* Effect.provideContext(TensorBackend.useSync((b) => b), context)
    const result = job.kind === "train" ? yield* train(job, capabilities) : yield* activations(job)
    process.stdout.write(`${resultMarker}${JSON.stringify({ ...result, details: info.details })}\n`)
  }))
