/**
 * The Trainer stage: the paper's supervised protocol. Each learning rate of
 * the config (the paper's grid {0.1, 0.01, 0.001, 0.0001}, or one rate) is a
 * candidate run (CandidateRun.ts): minibatch SGD (optional momentum and
 * weight decay, the L1 activation penalty) with early stopping, keeping its
 * epoch of lowest validation error; the rate whose run reached the lowest
 * validation error wins (Selection.ts). A run whose every rate diverged ends
 * in a result with `diverged` set.
 */
import { TensorBackend } from "@rectifier/backend"
import { percent, Rng } from "@rectifier/core"
import { Dataset } from "@rectifier/datasets"
import { Context, Effect, Layer, type Scope } from "effect"
import { buildModel, type CandidateRun, runCandidate } from "./CandidateRun.ts"
import type { EpochDiagnostics } from "./Diagnostics.ts"
import type { EpochMetrics } from "./EpochMetrics.ts"
import type { Model } from "./Model.ts"
import { type LearningRateCandidate, stalled, verdicts } from "./Selection.ts"
import { learningRatesOf, type TrainingConfig } from "./TrainingConfig.ts"
import type {
  CheckpointMismatch,
  CheckpointUnreadable,
  CheckpointUnwritable,
  Divergence,
  TrainingConfigInvalid
} from "./TrainingError.ts"
import type { TrainingHooks } from "./TrainingHooks.ts"

export type { EpochMetrics } from "./EpochMetrics.ts"

/**
 * What `Trainer.run` returns: the kept learning rate's run (its epochs, best
 * epoch and errors), every candidate's summary in order, and the trained
 * model.
 */
export interface TrainingResult {
  readonly epochs: ReadonlyArray<EpochMetrics>
  /** 1-based epoch whose weights the model holds (0: the initial weights, when the first epoch diverged). */
  readonly bestEpoch: number
  readonly validationError: number
  readonly testError: number
  /** The learning rate of the chosen run. */
  readonly learningRate: number
  /** Every learning rate tried, in order. */
  readonly candidates: ReadonlyArray<LearningRateCandidate>
  /** True when patience ran out before the maximum epoch count. */
  readonly stoppedEarly: boolean
  /** Diagnostics of the initial weights (before the first update), when diagnostics are on. */
  readonly initialDiagnostics: EpochDiagnostics | undefined
  /** Set when the chosen run diverged (every rate diverged); the model then holds its last good weights. */
  readonly diverged: Divergence | undefined
  /**
   * Set when the kept weights blew up with a finite cost: a validation error
   * within 10% of chance and a training cost over ten times a uniform guess's.
   */
  readonly stalled: string | undefined
  /** The trained model (best validation epoch), alive until the caller's scope closes. */
  readonly model: Model
}

type TrainingFailure = TrainingConfigInvalid | CheckpointUnreadable | CheckpointMismatch | CheckpointUnwritable

/**
 * The Trainer stage. `Trainer.layer` provides it and requires `Dataset` (the
 * split every candidate trains, validates and tests on), `Rng` and
 * `TensorBackend`.
 */
export class Trainer extends Context.Service<Trainer, {
  /** Trains; a run whose every learning rate diverged ends in a result with `diverged` set. */
  readonly run: (
    config: TrainingConfig,
    hooks?: TrainingHooks
  ) => Effect.Effect<TrainingResult, TrainingFailure, Scope.Scope>
}>()("@rectifier/train/Trainer") {
  static readonly layer: Layer.Layer<Trainer, never, Dataset | Rng | TensorBackend> = Layer.effect(
    Trainer,
    Effect.gen(function*() {
      const data = yield* Dataset
      const rng = yield* Rng
      const { capabilities } = yield* TensorBackend
      const context = { data, rng, capabilities }

      const run = Effect.fn("Trainer.run")(function*(config: TrainingConfig, hooks: TrainingHooks = {}) {
        const runs: Array<CandidateRun> = []
        for (const learningRate of learningRatesOf(config)) {
          runs.push(yield* runCandidate(context, config, learningRate, hooks, runs))
        }
        // The lowest validation error among runs that did not diverge; if all diverged, the last one.
        const finished = runs.filter((r) => r.summary.diverged === undefined)
        const chosen = finished.length === 0
          ? runs[runs.length - 1]!
          : finished.reduce((a, b) => (b.summary.validationError < a.summary.validationError ? b : a))
        const judged = verdicts(runs.map((r) => r.summary), runs.indexOf(chosen))
        const model = yield* Effect.acquireRelease(
          buildModel(config, data, rng, capabilities.denseLayer),
          (m) => Effect.sync(() => m.dispose())
        )
        model.restore(chosen.weights)
        const result: TrainingResult = {
          epochs: chosen.epochs,
          bestEpoch: chosen.summary.bestEpoch,
          validationError: chosen.summary.validationError,
          testError: chosen.summary.testError,
          learningRate: chosen.summary.learningRate,
          candidates: runs.map((r, i) => ({ ...r.summary, verdict: judged[i]! })),
          stoppedEarly: chosen.stoppedEarly,
          initialDiagnostics: chosen.initialDiagnostics,
          diverged: chosen.summary.diverged,
          stalled: blownUp(chosen, data.classes),
          model
        }
        return result
      })

      return Trainer.of({ run })
    })
  )
}

/**
 * Why a run's kept weights are a blow-up, if they are: a validation error
 * within 10% of chance while the last epoch's training cost is over ten times
 * that of a uniform guess (ln classes). A net that has merely not learned yet
 * (a tiny or short run) has a cost near ln classes and is not flagged.
 */
const blownUp = (run: CandidateRun, classes: number): string | undefined => {
  const last = run.epochs[run.epochs.length - 1]
  const uniform = Math.log(classes)
  if (run.summary.diverged !== undefined || last === undefined) return undefined
  if (!stalled(run.summary.validationError, classes) || !(last.trainLoss > 10 * uniform)) return undefined
  return `validation error ${percent(run.summary.validationError)} at its best epoch, within 10% of chance ` +
    `(${percent(1 - 1 / classes)}), with a training cost of ${last.trainLoss.toPrecision(3)}, over ten ` +
    `times a uniform guess's ${uniform.toFixed(2)}: the net blew up and learned nothing`
}
