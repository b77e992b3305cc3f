/**
 * The rules of the paper's learning-rate selection, over learning curves
 * alone (so a resumed run takes the same decisions): every rate of the grid
 * is a candidate trained with early stopping; a candidate may be stopped
 * before its patience runs out when it is clearly beaten by an earlier one at
 * the same epoch, or when it learns nothing; the kept candidate is the one
 * with the lowest validation error at its best epoch.
 */
import { percent, PositiveInt } from "@rectifier/core"
import { Schema } from "effect"
import { Divergence } from "./TrainingError.ts"


/**
 * When a candidate counts as clearly beaten: after at least `afterEpochs`
 * epochs, its lowest validation error so far is more than `factor` times the
 * lowest an earlier candidate had reached by the same epoch.
 */
export const CandidatePruning = Schema.Struct({
  afterEpochs: PositiveInt,
  factor: Schema.Finite.check(Schema.isGreaterThan(1))
})
export type CandidatePruning = typeof CandidatePruning.Type

/** Why a candidate's training ended. */
export const CandidateStop = Schema.Struct({
  reason: Schema.Literals(["epochs", "patience", "diverged", "beaten", "stalled"]),
  /** One sentence with the numbers behind the decision. */
  detail: Schema.String
})
export type CandidateStop = typeof CandidateStop.Type

/** Whether the selection kept a candidate, and why. */
export const CandidateVerdict = Schema.Struct({ kept: Schema.Boolean, reason: Schema.String })
export type CandidateVerdict = typeof CandidateVerdict.Type

/** One epoch of a candidate's learning curve. */
export const CandidateEpoch = Schema.Struct({
  epoch: Schema.Int,
  trainLoss: Schema.Number,
  validationError: Schema.Number,
  testError: Schema.Number,
  seconds: Schema.Number
})
export type CandidateEpoch = typeof CandidateEpoch.Type

/** One learning rate's run, as the selection saw it: where it was best, how it ended, and the verdict. */
export const LearningRateCandidate = Schema.Struct({
  learningRate: Schema.Number,
  bestEpoch: Schema.Int,
  validationError: Schema.Number,
  testError: Schema.Number,
  epochsRun: Schema.Int,
  diverged: Schema.optionalKey(Divergence),
  stop: CandidateStop,
  verdict: CandidateVerdict,
  /** The candidate's learning curve. */
  curve: Schema.Array(CandidateEpoch)
})
export type LearningRateCandidate = typeof LearningRateCandidate.Type

/** A candidate run before the one being judged, as the pruning rule compares with it: its learning rate and learning curve. */
export interface Rival {
  readonly learningRate: number
  readonly curve: ReadonlyArray<CandidateEpoch>
}


/** The lowest validation error among the epochs up to and including `epoch`; Infinity before the first. */
export const bestBy = (curve: ReadonlyArray<CandidateEpoch>, epoch: number): number =>
  curve.reduce((best, e) => (e.epoch <= epoch && e.validationError < best ? e.validationError : best), Infinity)

/**
 * A validation error within 10% of chance (1 - 1/classes) after a full epoch:
 * the candidate predicts (nearly) one class, as a net blown up by too large a
 * rate does while its cost stays finite.
 */
export const stalled = (validationError: number, classes: number): boolean =>
  validationError >= 0.9 * (1 - 1 / classes)

/** Whether `curve` (the epochs run so far) should stop under `rule`, given the candidates run before it. */
export const pruneReason = (
  curve: ReadonlyArray<CandidateEpoch>,
  rivals: ReadonlyArray<Rival>,
  rule: CandidatePruning,
  classes: number
): CandidateStop | undefined => {
  const last = curve[curve.length - 1]
  if (last === undefined) return undefined
  if (stalled(last.validationError, classes)) {
    return {
      reason: "stalled",
      detail: `validation error ${percent(last.validationError)} after epoch ${last.epoch}, ` +
        `within 10% of chance (${percent(1 - 1 / classes)})`
    }
  }
  if (last.epoch < rule.afterEpochs) return undefined
  const own = bestBy(curve, last.epoch)
  for (const rival of rivals) {
    const theirs = bestBy(rival.curve, last.epoch)
    if (own > rule.factor * theirs) {
      return {
        reason: "beaten",
        detail: `best validation error ${percent(own)} by epoch ${last.epoch}, more than ${rule.factor} x ` +
          `the ${percent(theirs)} that learning rate ${rival.learningRate} had reached by then`
      }
    }
  }
  return undefined
}

/** The verdict on each candidate once all have run, given the index of the kept one. */
export const verdicts = (
  candidates: ReadonlyArray<{ readonly learningRate: number; readonly validationError: number; readonly bestEpoch: number; readonly stop: CandidateStop }>,
  kept: number
): ReadonlyArray<CandidateVerdict> => {
  const winner = candidates[kept]!
  return candidates.map((c, i): CandidateVerdict => {
    if (i === kept) {
      return {
        kept: true,
        reason: `lowest validation error, ${percent(c.validationError)} at epoch ${c.bestEpoch}` +
          (c.stop.reason === "diverged" ? " (every candidate diverged; the last good weights)" : "")
      }
    }
    if (c.stop.reason === "diverged" || c.stop.reason === "stalled" || c.stop.reason === "beaten") {
      return { kept: false, reason: `${c.stop.reason}: ${c.stop.detail}` }
    }
    return {
      kept: false,
      reason: `validation error ${percent(c.validationError)} at epoch ${c.bestEpoch}, above the kept ` +
        `${percent(winner.validationError)} (learning rate ${winner.learningRate})`
    }
  })
}
