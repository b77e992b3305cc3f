/**
 * What a resolved configuration needs that the pipeline cannot do yet. A
 * preset may describe an experiment whose stages are still being built
 * (other datasets, partly labelled training sets); resolving it fails with a
 * typed error naming each missing piece, so nothing is ever faked.
 */
import type { RunConfig } from "@rectifier/report"
import { Schema } from "effect"

export class PipelineNotRunnable extends Schema.TaggedError<PipelineNotRunnable>()("PipelineNotRunnable", {
  pipeline: Schema.String,
  missing: Schema.Array(Schema.String)
}) {
  override get message(): string {
    return `pipeline "${this.pipeline}" cannot run yet; nothing was run. Missing:\n` +
      this.missing.map((line) => `  - ${line}`).join("\n")
  }
}

/** Each requirement of `config` the pipeline does not meet yet, in words; empty when it can run. */
export const missingRequirements = (config: RunConfig): ReadonlyArray<string> => {
  const missing: Array<string> = []
  if (config.dataset.name !== "mnist") {
    missing.push(
      `dataset "${config.dataset.name}": the pipeline loads only MNIST so far ` +
        "(the CIFAR-10, EMNIST, NORB and Fashion-MNIST loaders are being added in packages/datasets)"
    )
  }
  if (config.dataset.labelledFraction < 1) {
    missing.push(
      "dataset.labelledFraction below 1: the pipeline cannot yet hold back the labels " +
        "of part of the training set (Figure 4 needs it together with pre-training on all of it)"
    )
  }
  return missing
}
