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

/** A callback that prints one line per epoch, estimating the time left from the epochs so far. */
export const progressPrinter = () => {
  let elapsed = 0
  return (metrics: EpochMetrics, config: RunConfig): Effect.Effect<void> => {
    elapsed += metrics.seconds
    const total = config.training.epochs
    const left = (elapsed / metrics.epoch) * (total - metrics.epoch)
    return Console.log(
      `epoch ${metrics.epoch}/${total}  cost ${metrics.trainLoss.toFixed(4)}  ` +
        `valid ${percent(metrics.validationError)}  test ${percent(metrics.testError)}  ` +
        `${metrics.seconds.toFixed(1)}s  ETA ${duration(left)}`
    )
  }
}
