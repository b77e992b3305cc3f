/** Typed failures of resolving and running a pipeline. */
import { Schema } from "effect"

export class UnknownPipeline extends Schema.TaggedError<UnknownPipeline>()("UnknownPipeline", {
  name: Schema.String,
  known: Schema.Array(Schema.String)
}) {
  override get message(): string {
    return `unknown pipeline "${this.name}"; known pipelines: ${this.known.join(", ")}`
  }
}

export class ConfigInvalid extends Schema.TaggedError<ConfigInvalid>()("ConfigInvalid", {
  source: Schema.String,
  detail: Schema.String
}) {
  override get message(): string {
    return `invalid configuration in ${this.source}:\n${this.detail}`
  }
}

export class RunFolderUnavailable extends Schema.TaggedError<RunFolderUnavailable>()("RunFolderUnavailable", {
  folder: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `cannot create the run folder ${this.folder}: ${this.reason}`
  }
}
