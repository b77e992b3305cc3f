/**
 * The report's training-protocol and diagnostics sections: divergence, the
 * learning-rate selection, gradient norms per layer (at initialisation and
 * per epoch), dead units and activation probabilities per layer, step time
 * and memory.
 */
import { markdownTable, percent } from "@rectifier/core"
import type { RunRecord } from "@rectifier/record"


const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`

/** A warning line for a diverged run, or one that learned nothing, or nothing. */
export const divergenceNotice = (record: RunRecord): ReadonlyArray<string> => {
  const d = record.result.diverged
  if (d === undefined) {
    return record.result.stalled === undefined
      ? []
      : [`**The net learned nothing**: ${record.result.stalled}. Its numbers below are not a result.`, ""]
  }
  return [
    `**Training diverged** at epoch ${d.epoch}, step ${d.step} (learning rate ${d.learningRate}): the ${d.quantity} became ${d.value}. ` +
    `The results below are those of the last good weights (epoch ${record.result.bestEpoch}).`,
    ""
  ]
}

/**
 * The run report's Markdown lines for the learning-rate selection and the
 * diagnostics (gradient norms per layer, dead units and activation
 * probabilities at the chosen epoch, step time, memory); none when the record
 * has neither.
 */
export const renderDiagnostics = (record: RunRecord): ReadonlyArray<string> => {
  const lines: Array<string> = []
  const { result } = record
  const candidates = result.learningRateCandidates
  if (candidates !== undefined) {
    lines.push("## Learning-rate selection", "", `Each rate trained from the same initial weights; the lowest validation error wins (${result.learningRate}).`, "")
    lines.push(markdownTable(
      ["learning rate", "best epoch", "validation error", "test error", "epochs run", "stopped", "outcome"],
      candidates.map((c) => [
        String(c.learningRate),
        String(c.bestEpoch),
        percent(c.validationError),
        percent(c.testError),
        String(c.epochsRun),
        c.stop === undefined ? "" : `${c.stop.reason}: ${c.stop.detail}`,
        c.verdict !== undefined
          ? (c.verdict.kept ? `kept: ${c.verdict.reason}` : `dropped: ${c.verdict.reason}`)
          : c.diverged === undefined
          ? (c.learningRate === result.learningRate ? "chosen" : "")
          : `diverged (epoch ${c.diverged.epoch}, step ${c.diverged.step})`
      ])
    ), "")
  }
  const withDiagnostics = record.epochs.filter((e) => e.diagnostics !== undefined)
  const initial = result.initialDiagnostics
  if (withDiagnostics.length === 0 && initial === undefined) return lines
  const layers = (initial ?? withDiagnostics[0]!.diagnostics!).gradientNorms.length
  const layerNames = Array.from({ length: layers }, (_, l) => (l === layers - 1 ? "output" : `layer ${l + 1}`))
  lines.push(
    "## Diagnostics",
    "",
    "Gradient norm of each layer's weights on a fixed batch of training examples (vanishing gradients show as",
    "norms shrinking towards the input):",
    "",
    markdownTable(["epoch", ...layerNames], [
      ...(initial === undefined ? [] : [["initial", ...initial.gradientNorms.map((n) => n.toExponential(2))]]),
      ...withDiagnostics.map((e) => [String(e.epoch), ...e.diagnostics!.gradientNorms.map((n) => n.toExponential(2))])
    ]),
    ""
  )
  const best = record.epochs.find((e) => e.epoch === result.bestEpoch)?.diagnostics
  if (best !== undefined) {
    lines.push(
      `Hidden layers at the chosen epoch, on ${best.examples} validation examples (dead: zero on every one; ` +
        "P(active) in tenths, units per bin):",
      "",
      markdownTable(
        ["layer", "exact zeros", "dead units", "units by P(active) 0-0.1 … 0.9-1"],
        best.layers.map((layer, l) => [
          String(l + 1),
          percent(layer.sparsity, 1),
          String(layer.deadUnits),
          layer.activeProbabilityHistogram.join(" ")
        ])
      ),
      ""
    )
  }
  const steps = record.epochs.flatMap((e) => (e.stepSeconds === undefined ? [] : [e.stepSeconds]))
  const rss = record.epochs.flatMap((e) => (e.rssBytes === undefined ? [] : [e.rssBytes]))
  if (steps.length > 0) lines.push(`Mean time per training step: ${(1000 * steps.reduce((a, b) => a + b, 0) / steps.length).toFixed(2)} ms.`)
  if (rss.length > 0) lines.push(`Resident memory after each epoch: ${rss.map(mib).join(", ")}.`)
  if (result.peakRssBytes !== undefined) lines.push(`Peak resident memory: ${mib(result.peakRssBytes)}.`)
  if (result.stoppedEarly === true) lines.push(`Early stopping ended the run after ${record.epochs.length} epochs.`)
  lines.push("")
  return lines
}
