/**
 * How a configuration names an activation: a bare name (defaults) or an
 * object `{ name, ...parameters }`. Each object form accepts exactly its
 * activation's parameters, with their ranges; any other key is rejected
 * with its name, whatever parse options the caller decodes with.
 */
import { Schema } from "effect"
import type { Activation } from "./Activation.ts"
import { type ActivationName, ActivationName as ActivationNames, buildActivation, type Settings } from "./Family.ts"

/** A struct that fails on any key it does not declare, naming that key. */
const closed = <const N extends ActivationName, F extends Schema.Struct.Fields>(name: N, fields: F) => {
  const declared = ["name", ...Object.keys(fields)]
  const allowed = declared.length === 1 ? "it takes no parameters" : `its parameters: ${declared.slice(1).join(", ")}`
  const Other = Schema.String.check(Schema.makeFilter((key: string) => !declared.includes(key)))
  return Schema.StructWithRest(Schema.Struct({ name: Schema.Literal(name), ...fields }), [
    Schema.Record(Other, Schema.Never.annotate({ message: `not a parameter of activation "${name}" (${allowed})` }))
  ])
}

const Fraction = Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 1 }))
const Positive = (maximum: number) =>
  Schema.Finite.check(Schema.isGreaterThan(0), Schema.isLessThanOrEqualTo(maximum))

const Parameterless = ActivationNames.literals.filter((name) =>
  !["softplus-rescaled", "leaky-rectifier", "prelu", "rrelu", "elu", "swish", "maxout"].includes(name)
)

const RRelu = closed("rrelu", { lower: Schema.optional(Fraction), upper: Schema.optional(Fraction) }).check(
  Schema.makeFilter((spec) =>
    (spec.lower ?? 1 / 8) <= (spec.upper ?? 1 / 3) ||
    `rrelu needs lower <= upper (got lower ${spec.lower ?? 1 / 8}, upper ${spec.upper ?? 1 / 3})`
  )
)

export const ActivationSpec = Schema.Union([
  ActivationNames,
  ...Parameterless.map((name) => closed(name, {})),
  closed("softplus-rescaled", { a: Schema.optional(Positive(1000)) }),
  closed("leaky-rectifier", { slope: Schema.optional(Fraction) }),
  closed("prelu", { shared: Schema.optional(Schema.Boolean), initial: Schema.optional(Fraction) }),
  RRelu,
  closed("elu", { alpha: Schema.optional(Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 100 }))) }),
  closed("swish", { beta: Schema.optional(Positive(100)) }),
  closed("maxout", { pieces: Schema.optional(Schema.Int.check(Schema.isBetween({ minimum: 2, maximum: 16 }))) })
]).annotate({ expected: `an activation name (${ActivationNames.literals.join(", ")}) or { name, ...parameters }` })
export type ActivationSpec = typeof ActivationSpec.Type

/** The name a spec refers to. */
export const specName = (spec: ActivationSpec): ActivationName => typeof spec === "string" ? spec : spec.name

/** The activation a (decoded) spec describes, unspecified parameters at their defaults. */
export const resolveActivation = (spec: ActivationSpec): Activation => {
  if (typeof spec === "string") return buildActivation(spec)
  const { name, ...given } = spec as { readonly name: ActivationName } & Record<string, unknown>
  const settings: Record<string, number | boolean> = {}
  for (const [key, value] of Object.entries(given)) {
    if (typeof value === "number" || typeof value === "boolean") settings[key] = value
  }
  return buildActivation(name, settings satisfies Settings)
}
