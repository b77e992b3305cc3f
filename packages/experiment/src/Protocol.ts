/**
 * The two training protocols a run can follow. `shortcut`: the configuration's
 * own learning rate and epoch count (10 epochs at 0.01 by default), cheap and
 * the same for every neuron. `paper`: the paper's selection (Section 4.1):
 * every rate of {0.1, 0.01, 0.001, 0.0001} is a candidate trained with early
 * stopping on validation error, the candidate with the lowest validation
 * error is kept at its best epoch, and a pre-training stack picks each
 * layer's rate from the same grid by the lowest reconstruction error.
 *
 * Choices the paper does not state, and why:
 * - patience 10 epochs, at most 50 epochs: at a constant rate the validation
 *   error of a 3 x 1000 net on MNIST still falls slowly after 30 epochs
 *   (1.66% at 0.01 against 1.82% after 10), and 50 x 18 runs is what keeps the
 *   MNIST column of Table 1 inside a working day on 2 cores;
 * - a candidate stops once clearly beaten: after 10 epochs, a best validation
 *   error above 1.5 x the best an earlier candidate had by the same epoch, or
 *   an error within 10% of chance after any epoch (a blown-up net);
 * - in a sweep, the rates are selected on the cell's first seed and reused for
 *   its other seeds (`reuseSelection`), as the report says.
 */
import type { RunConfig, RunRecord } from "@rectifier/record"
import { PAPER_LEARNING_RATES } from "@rectifier/train"
import { Schema } from "effect"
import type { ConfigOverrides } from "./ConfigOverrides.ts"

/** The training protocol's name: `shortcut` (the configuration's own rate and epochs) or `paper` (the paper's selection). */
export const Protocol = Schema.Literals(["shortcut", "paper"])
/** A decoded {@link Protocol}. */
export type Protocol = typeof Protocol.Type

/** The paper protocol's stopping rules (see the module comment for why). */
export const PAPER_PROTOCOL = {
  epochs: 50,
  patience: 10,
  candidatePruning: { afterEpochs: 10, factor: 1.5 }
} as const

/**
 * What `protocol` changes, layered above the preset and its cell and below
 * the caller's flags. A caller's own learning rate replaces the grid.
 */
export const protocolOverrides = (protocol: Protocol, caller: ConfigOverrides): ConfigOverrides => {
  if (protocol === "shortcut") return {}
  const ownRate = caller.training?.learningRate !== undefined || caller.training?.learningRates !== undefined
  return {
    training: {
      ...(ownRate ? {} : { learningRates: PAPER_LEARNING_RATES, candidatePruning: PAPER_PROTOCOL.candidatePruning }),
      epochs: PAPER_PROTOCOL.epochs,
      patience: PAPER_PROTOCOL.patience
    }
  }
}

/** A written pre-training stack under `protocol`: auto-encoders select each layer's rate from the grid. */
export const protocolPretraining = (
  protocol: Protocol,
  pretraining: Readonly<Record<string, unknown>>
): Readonly<Record<string, unknown>> =>
  protocol === "paper" && pretraining.kind === "dae" && pretraining.learningRate === undefined &&
    pretraining.learningRates === undefined && pretraining.layerLearningRates === undefined
    ? { ...pretraining, learningRates: PAPER_LEARNING_RATES }
    : pretraining

/** Whether a configuration selects anything (a supervised or a pre-training rate). */
export const selects = (config: RunConfig): boolean =>
  (config.training.learningRates?.length ?? 0) > 1 ||
  (config.pretraining?.kind === "dae" && (config.pretraining.learningRates?.length ?? 0) > 1)

/** `config` without anything to select: its grids (supervised and pre-training) and the pruning rule dropped. */
export const withoutSelection = (config: RunConfig): RunConfig => {
  const { candidatePruning: _pruning, learningRates: _rates, ...training } = config.training
  const pretraining = config.pretraining?.kind === "dae"
    ? (({ learningRates: _grid, ...rest }) => rest)(config.pretraining)
    : config.pretraining
  return { ...config, training, ...(pretraining === undefined ? {} : { pretraining }) }
}

/**
 * `config` (another seed of the same cell) with the rates `leader`'s selection
 * kept, fixed: the supervised rate, and each pre-trained layer's rate.
 */
export const reuseSelection = (config: RunConfig, leader: RunRecord): RunConfig => {
  const fixed = withoutSelection(config)
  const layerRates = leader.pretraining?.layers.map((layer) => layer.learningRate)
  const pretraining = fixed.pretraining?.kind === "dae" &&
      layerRates !== undefined && layerRates.every((rate): rate is number => rate !== undefined)
    ? { ...fixed.pretraining, layerLearningRates: layerRates }
    : config.pretraining
  return {
    ...fixed,
    training: { ...fixed.training, learningRate: leader.result.learningRate ?? config.training.learningRate },
    ...(pretraining === undefined ? {} : { pretraining })
  }
}
