/** A named pipeline: what it changes from the defaults and what others published for it. */
import type { Reference } from "@rectifier/report"
import type { ConfigOverrides } from "./ConfigOverrides.ts"

export interface Preset {
  readonly name: string
  /** One sentence: what the run reproduces. */
  readonly description: string
  readonly overrides: ConfigOverrides
  readonly references: ReadonlyArray<Reference>
}
