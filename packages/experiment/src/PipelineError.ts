/** Typed failures of resolving and running a pipeline. */
import { Schema } from "effect"

/** A pipeline name that is no preset; carries the names that are. */
export class UnknownPipeline extends Schema.TaggedError<UnknownPipeline>()("UnknownPipeline", {
  name: Schema.String,
  known: Schema.Array(Schema.String)
}) {
  override get message(): string {
    return `unknown pipeline "${this.name}"; known pipelines: ${this.known.join(", ")}`
  }
}

/** `--cell` naming a cell the pipeline's sweep does not have, or any cell of a single-run pipeline. */
export class UnknownCell extends Schema.TaggedError<UnknownCell>()("UnknownCell", {
  pipeline: Schema.String,
  label: Schema.String,
  known: Schema.Array(Schema.String)
}) {
  override get message(): string {
    return this.known.length === 0
      ? `--cell "${this.label}": pipeline "${this.pipeline}" is a single run, not a sweep of cells`
      : `--cell "${this.label}": pipeline "${this.pipeline}" has no such cell; its cells: ${this.known.map((k) => `"${k}"`).join(", ")}`
  }
}

/** One problem of a configuration: the dotted field it is at (e.g. `training.epochs`) and what was expected. */
export const ConfigProblem = Schema.Struct({ field: Schema.String, problem: Schema.String })
export type ConfigProblem = typeof ConfigProblem.Type

/** A configuration layer that does not decode: every problem found, each at its field; nothing was run. */
export class ConfigInvalid extends Schema.TaggedError<ConfigInvalid>()("ConfigInvalid", {
  /** Where the configuration came from: a preset, a cell, the caller's overrides, a --config file. */
  source: Schema.String,
  problems: Schema.Array(ConfigProblem)
}) {
  override get message(): string {
    return `invalid configuration in ${this.source}:\n` +
      this.problems.map((p) => `  ${p.field === "" ? "(the whole configuration)" : p.field}: ${p.problem}`).join("\n")
  }
}

/** The output folder or a run folder in it cannot be created (permissions, a read-only or full disk); `reason` says which. */
export class RunFolderUnavailable extends Schema.TaggedError<RunFolderUnavailable>()("RunFolderUnavailable", {
  folder: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `cannot create the run folder ${this.folder}: ${this.reason}`
  }
}

/**
 * A folder that cannot be resumed: its `config.json` is missing or is not a
 * run start record, or it was started under another numerics version.
 */
export class RunNotResumable extends Schema.TaggedError<RunNotResumable>()("RunNotResumable", {
  folder: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `cannot resume the run in ${this.folder}: ${this.reason}`
  }
}

/** A run folder's results.json that cannot be read or does not decode as a run record. */
export class RecordUnreadable extends Schema.TaggedError<RecordUnreadable>()("RecordUnreadable", {
  file: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `${this.file} is not a readable run record: ${this.reason}`
  }
}

/** Training diverged; the run folder still holds the record and report of the last good weights. */
export class RunDiverged extends Schema.TaggedError<RunDiverged>()("RunDiverged", {
  folder: Schema.String,
  detail: Schema.String
}) {
  override get message(): string {
    return `${this.detail}\nthe record and report (last good weights) are in ${this.folder}`
  }
}

/** A run whose kept weights learned nothing (validation error near chance), though its cost stayed finite. */
export class RunStalled extends Schema.TaggedError<RunStalled>()("RunStalled", {
  folder: Schema.String,
  detail: Schema.String
}) {
  override get message(): string {
    return `${this.detail}\nits record and report, flagged, are in ${this.folder}`
  }
}

/** A size in `config.dataset` that the dataset's split cannot supply; found when the run is resolved, before anything runs. */
export class DatasetSizeInvalid extends Schema.TaggedError<DatasetSizeInvalid>()("DatasetSizeInvalid", {
  pipeline: Schema.String,
  dataset: Schema.String,
  field: Schema.Literals(["trainSize", "evaluationSize"]),
  value: Schema.Number,
  limit: Schema.Number
}) {
  override get message(): string {
    const what = this.field === "trainSize" ? "training examples" : "examples in each of its validation and test sets"
    return `pipeline "${this.pipeline}": dataset.${this.field} is ${this.value}, but ${this.dataset} has ` +
      `${this.limit.toLocaleString("en")} ${what} in the paper's split; nothing was run`
  }
}

/** A run that failed where it ran (a worker process): its folder and the error, with the end of the worker's stderr. */
export class RunFailed extends Schema.TaggedError<RunFailed>()("RunFailed", {
  folder: Schema.String,
  detail: Schema.String
}) {
  override get message(): string {
    return `the run in ${this.folder} failed:\n${this.detail}`
  }
}
