/** The per-epoch progress line the pipeline command prints, with an ETA. */
import type { RunConfig } from "@rectifier/report"
import type { EpochMetrics } from "@rectifier/train"
import { Console, Effect } from "effect"

const duration = (seconds: number): string => {
  const s = Math.round(seconds)
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`
}

const percent = (value: number) => `${(100 * value).toFixed(2)}%`

/** A callback that prints one line per epoch, estimating the time left (at most: early stopping may end sooner). */
export const progressPrinter = () => {
  let elapsed = 0
  let counted = 0
  return (metrics: EpochMetrics, config: RunConfig, learningRate: number): Effect.Effect<void> => {
    elapsed += metrics.seconds
    counted++
    const rates = config.training.learningRates?.length ?? 1
    const total = config.training.epochs
    const epochsLeft = total - metrics.epoch + total * (rates - 1 - (config.training.learningRates?.indexOf(learningRate) ?? 0))
    const left = (elapsed / counted) * epochsLeft
    const rate = rates > 1 ? `lr ${learningRate}  ` : ""
    return Console.log(
      `${rate}epoch ${metrics.epoch}/${total}  cost ${metrics.trainLoss.toFixed(4)}  ` +
        `valid ${percent(metrics.validationError)}  test ${percent(metrics.testError)}  ` +
        `${metrics.seconds.toFixed(1)}s  ETA ${duration(left)}`
    )
  }
}
