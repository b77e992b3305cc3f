/**
 * Progress displays: a single run's line per epoch (and, on a terminal, a
 * line within long epochs that the epoch's line replaces), and the live
 * display of a sweep.
 */
import { formatDuration, percent } from "@rectifier/core"
import type { RunConfig } from "@rectifier/record"
import type { EpochMetrics, StepProgress } from "@rectifier/train"
import type { SweepEvent } from "@rectifier/experiment"
import cliProgress from "cli-progress"
import type { Effect } from "effect"

/** Seconds between two redraws of the within-epoch line. */
const STEP_LINE_SECONDS = 2

/**
 * A run's progress through `say` (stdout, or stderr under --json, which is
 * `stream`): one line per epoch, estimating the time left (at most: early
 * stopping may end sooner); on a terminal, within an epoch that lasts more
 * than a couple of seconds, a line redrawn in place with the step reached.
 */
export const progressPrinter = (say: (line: string) => Effect.Effect<void>, stream: NodeJS.WriteStream) => {
  let elapsed = 0
  let counted = 0
  let drawn = false
  let lastDraw = performance.now()
  const onSteps = (progress: StepProgress, config: RunConfig): void => {
    const now = performance.now()
    if (stream.isTTY !== true || now - lastDraw < STEP_LINE_SECONDS * 1000) return
    lastDraw = now
    drawn = true
    const rate = (config.training.learningRates?.length ?? 1) > 1 ? `lr ${progress.learningRate}  ` : ""
    stream.write(
      `\r\x1b[K${rate}epoch ${progress.epoch}/${config.training.epochs}  step ${progress.step}/${progress.steps} ` +
        `(${Math.floor((100 * progress.step) / progress.steps)}%)`
    )
  }
  const onEpoch = (metrics: EpochMetrics, config: RunConfig, learningRate: number): Effect.Effect<void> => {
    if (drawn) stream.write("\r\x1b[K")
    drawn = false
    lastDraw = performance.now()
    elapsed += metrics.seconds
    counted++
    const rates = config.training.learningRates?.length ?? 1
    const total = config.training.epochs
    const epochsLeft = total - metrics.epoch + total * (rates - 1 - (config.training.learningRates?.indexOf(learningRate) ?? 0))
    const left = (elapsed / counted) * epochsLeft
    const rate = rates > 1 ? `lr ${learningRate}  ` : ""
    return say(
      `${rate}epoch ${metrics.epoch}/${total}  cost ${metrics.trainLoss.toFixed(4)}  ` +
        `valid ${percent(metrics.validationError)}  test ${percent(metrics.testError)}  ` +
        `${metrics.seconds.toFixed(1)}s  ETA ${formatDuration(left)}`
    )
  }
  return { onEpoch, onSteps }
}

/**
 * The sweep's live display: on a terminal, a cli-progress bar over all the
 * sweep's epochs (runs done, the current run and epoch, ETA from the epochs
 * so far); everywhere, one line per finished or skipped run.
 */
export const sweepProgress = (stream: NodeJS.WriteStream) => {
  const interactive = stream.isTTY === true
  const bars = new cliProgress.MultiBar({
    format: "{bar} runs {runs}/{total} | {current} epoch {epoch}/{epochs} | ETA {eta_formatted}",
    hideCursor: true,
    stream,
    clearOnComplete: true,
    etaBuffer: 20
  }, cliProgress.Presets.shades_classic)
  let bar: cliProgress.SingleBar | undefined
  let total = 0
  let done = 0
  let epochsPerRun = 0
  let started = false
  const print = (line: string) => {
    if (interactive && started) bars.log(line + "\n")
    else stream.write(line + "\n")
  }
  return {
    onEvent: (event: SweepEvent): void => {
      switch (event._tag) {
        case "Planned": {
          total = event.total
          done = event.finished
          print(`sweep: ${event.total} runs, ${event.finished} already finished; folder ${event.folder}`)
          break
        }
        case "RunStarted": {
          epochsPerRun = event.run.config.training.epochs
          if (interactive && !started) {
            started = true
            bar = bars.create((total - done) * epochsPerRun, 0, { runs: done, total, current: event.run.name, epoch: 0, epochs: epochsPerRun })
          }
          bar?.update({ current: event.run.name, epoch: 0, epochs: epochsPerRun })
          break
        }
        case "Epoch": {
          bar?.increment(1, { current: event.run.name, epoch: event.epoch.epoch, epochs: event.epoch.epochs })
          break
        }
        case "RunFinished": {
          done++
          bar?.update({ runs: done })
          print(
            `run ${done}/${total} done: ${event.run.name}  test ${percent(event.record.result.testError)}  ` +
              `sparsity ${percent(event.record.result.sparsity.mean, 1)}  ${formatDuration(event.record.wallSeconds)}`
          )
          break
        }
        case "RunSkipped": {
          print(`skipped ${event.run.name}: ${event.reason}`)
          break
        }
        case "RunFailed": {
          done++
          bar?.update({ runs: done })
          print(`run ${done}/${total} FAILED: ${event.run.name}: ${event.reason.split("\n")[0]}`)
          break
        }
      }
    },
    stop: () => {
      if (started) bars.stop()
    }
  }
}
