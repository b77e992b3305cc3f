/**
 * Renders a run record as a Markdown report: our numbers beside the paper's
 * and the seed article's, the figures (PNG files in `figures/`, see
 * RunFigures.ts), the learning curve, sparsity per layer, and what the run
 * ran on.
 */
import { markdownTable, percent } from "@rectifier/core"
import { divergenceNotice, renderDiagnostics } from "./DiagnosticsMarkdown.ts"
import { findReference, type RunRecord } from "@rectifier/record"
import type { Figure } from "./Charts.ts"
import { runFigures } from "./RunFigures.ts"

/** Where the report's figures are, relative to the report. */
export const RUN_FIGURE_FOLDER = "figures"



/** How far the run's protocol is from the paper's, in words; empty when it matches. */
const deviations = (record: RunRecord): ReadonlyArray<string> => {
  const notes: Array<string> = []
  const count = (n: number) => n.toLocaleString("en")
  const { data } = record
  if (data !== undefined) {
    const train = data.train + data.unlabelled
    if (train < data.paper.train) {
      notes.push(`trained on the first ${count(train)} of the paper's ${count(data.paper.train)} training examples`)
    }
    if (data.validation < data.paper.validation || data.test < data.paper.test) {
      notes.push(
        `measured validation and test error on the first ${count(data.validation)} and ${count(data.test)} ` +
          `of the paper's ${count(data.paper.validation)} and ${count(data.paper.test)} examples`
      )
    }
    return notes
  }
  // Records written before the data counts were recorded were all MNIST (50,000 / 10,000 / 10,000).
  const { dataset } = record.config
  if (dataset.trainSize !== undefined && dataset.trainSize < 50_000) {
    notes.push(`trained on the first ${count(dataset.trainSize)} of the paper's 50,000 training examples`)
  }
  if (dataset.evaluationSize !== undefined && dataset.evaluationSize < 10_000) {
    notes.push(`measured validation and test error on the first ${count(dataset.evaluationSize)} of 10,000 examples each`)
  }
  return notes
}

/** The dataset and how many examples of each split the run used. */
export const describeData = (record: RunRecord): string => {
  const { data } = record
  const { dataset } = record.config
  const inputs = dataset.inputs === "symmetric" ? ", pixels scaled to [-1, 1]" : ""
  if (data === undefined) {
    return `${dataset.name}: ${dataset.trainSize ?? "all"} training, ${dataset.evaluationSize ?? "all"} validation and test examples${inputs}`
  }
  return `${data.dataset}: ${data.train} training` +
    (data.unlabelled === 0 ? "" : ` (${data.unlabelled} more unlabelled, ${dataset.labelledFraction} labelled)`) +
    `, ${data.validation} validation, ${data.test} test examples${inputs}`
}

const number = (value: number | undefined) => (value === undefined ? "—" : value.toFixed(4))

/** One table per pre-trained layer: its per-epoch reconstruction error. */
const pretrainingSection = (record: RunRecord): ReadonlyArray<string> => {
  const pretraining = record.pretraining
  if (pretraining === undefined) return []
  return [
    "## Pre-training",
    "",
    `Greedy layer-wise pre-training, bottom layer first; the stack initialises the ${pretraining.activation} net's hidden layers.`,
    "",
    ...pretraining.layers.flatMap((layer, l) => [
      `Layer ${l + 1} (${layer.kind === "rbm" ? "RBM" : "denoising auto-encoder"}):`,
      "",
      markdownTable(
        ["epoch", "reconstruction error", "validation reconstruction error", "seconds"],
        layer.curve.map((epoch) => [
          String(epoch["epoch"]),
          number(epoch["reconstructionError"]),
          number(epoch["validationReconstructionError"]),
          number(epoch["seconds"])
        ])
      ),
      ""
    ])
  ]
}

/** The Markdown report, linking `figures` (by default every figure the record supports). */
export const renderMarkdown = (record: RunRecord, figures: ReadonlyArray<Figure> = runFigures(record)): string => {
  const { config, result } = record
  const refs = record.references
  const paperError = findReference(refs, "testError", "paper")
  const seedError = findReference(refs, "testError", "seed-article")
  const paperSparsity = findReference(refs, "sparsity", "paper")
  const seedSparsity = findReference(refs, "sparsity", "seed-article")
  const differences = deviations(record)
  const t = config.training
  const lines = [
    `# ${record.pipeline}`,
    "",
    record.description,
    "",
    "## Results",
    "",
    ...divergenceNotice(record),
    markdownTable(["metric", "ours", "paper (Glorot et al. 2011)", "seed article"], [
      ["test error", percent(result.testError), percent(paperError?.value), percent(seedError?.value)],
      [
        "mean exact sparsity (test set)",
        percent(result.sparsity.mean, 1),
        percent(paperSparsity?.value, 1),
        percent(seedSparsity?.value, 1)
      ],
      ["validation error", percent(result.validationError), "—", "—"]
    ]),
    "",
    "The paper's numbers are the ground truth; the seed article's are what it reports and are",
    "partly wrong about the paper. Sources: " +
    refs.map((r) => `${r.source === "paper" ? "paper" : "seed article"}: ${r.where}`).filter((v, i, a) =>
      a.indexOf(v) === i
    ).join("; ") + ".",
    "",
    differences.length === 0
      ? "This run follows the paper's data protocol (50,000 / 10,000 / 10,000)."
      : `**Not directly comparable to the paper:** this run ${differences.join("; ")}.`,
    "",
    `The model is the one from epoch ${result.bestEpoch} of ${record.epochs.length}, the epoch with the lowest validation error.`,
    "",
    "## Figures",
    "",
    ...figures.flatMap((f) => [`### ${f.title}`, "", `![${f.title}](${RUN_FIGURE_FOLDER}/${f.id}.png)`, "", f.caption, ""]),
    ...pretrainingSection(record),
    "## Sparsity per hidden layer",
    "",
    markdownTable(
      ["layer", "units", "exact zeros"],
      result.sparsity.perLayer.map((fraction, l) => [String(l + 1), String(t.hiddenLayers[l]), percent(fraction, 1)])
    ),
    "",
    "## Learning curve",
    "",
    markdownTable(
      ["epoch", "train cost", "validation error", "test error", "seconds"],
      record.epochs.map((e) => [
        String(e.epoch),
        e.trainLoss.toFixed(4),
        percent(e.validationError),
        percent(e.testError),
        e.seconds.toFixed(1)
      ])
    ),
    "",
    ...renderDiagnostics(record),
    "## Configuration",
    "",
    markdownTable(["setting", "value"], [
      [
        "dataset",
        describeData(record)
      ],
      ["hidden layers", t.hiddenLayers.join(" x ")],
      ["activation", typeof t.activation === "string" ? t.activation : JSON.stringify(t.activation)],
      ["initialisation", t.initializer],
      ["optimiser", `SGD, learning rate ${t.learningRate}, minibatch ${t.batchSize}, ${t.epochs} epochs`],
      ["L1 penalty on activations", String(t.l1Penalty)],
      ["seed", String(config.seed)]
    ]),
    "",
    "## Environment",
    "",
    markdownTable(["", ""], [
      ["backend", `${record.environment.backend.name} (asked for ${record.environment.backend.requested}, ${record.environment.backend.threads} thread(s))`],
      ["rectifier", record.environment.rectifier],
      ["node", record.environment.node],
      ["machine", `${record.environment.platform}, ${record.environment.cpus} x ${record.environment.cpu}`],
      ...Object.entries(record.environment.libraries).map(([name, version]) => [name, version]),
      ["started", record.startedAt],
      ["wall time", `${record.wallSeconds.toFixed(1)} s`]
    ]),
    ""
  ]
  return lines.join("\n")
}
