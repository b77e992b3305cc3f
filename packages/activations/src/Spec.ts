/**
 * How a configuration names an activation: a bare name (defaults) or an
 * object `{ name, ...parameters }`. Each object form accepts exactly its
 * activation's parameters, with their ranges; any other key is rejected
 * with its name, whatever parse options the caller decodes with.
 */
import { Schema } from "effect"
import type { Activation } from "./Activation.ts"
import { type ActivationName, ActivationName as ActivationNames, buildActivation } from "./Family.ts"

/** The object form of `N` with `F`'s parameters, as decoding produces it. */
type Closed<N extends ActivationName, F extends Schema.Struct.Fields> = Schema.Codec<
  { readonly name: N } & Schema.Struct<F>["Type"],
  { readonly name: N } & Schema.Struct<F>["Encoded"]
>

/**
 * A struct that fails on any key it does not declare, naming that key. Its
 * rest signature maps every other key to Never; the declared type leaves that
 * signature out, since no decoded value can carry such a key.
 */
const closed = <const N extends ActivationName, F extends Schema.Struct.Fields>(
  name: N,
  fields: F,
  check?: (value: Schema.Struct<F>["Type"]) => true | string
): Closed<N, F> => {
  const declared = ["name", ...Object.keys(fields)]
  const allowed = declared.length === 1 ? "it takes no parameters" : `its parameters: ${declared.slice(1).join(", ")}`
  const Other = Schema.String.check(Schema.makeFilter((key: string) => !declared.includes(key)))
  const unknownKey = Schema.Never.annotate({
    message: `not a parameter of activation "${name}" (${allowed})`
  })
  const schema = Schema.StructWithRest(Schema.Struct({ name: Schema.Literal(name), ...fields }), [
    Schema.Record(Other, unknownKey)
  ])
  const checked = check === undefined
    ? schema
    : schema.check(Schema.makeFilter((value) => check(value as unknown as Schema.Struct<F>["Type"])))
  return checked as unknown as Closed<N, F>
}

const Fraction = Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 1 }))
const Positive = (maximum: number) => Schema.Finite.check(Schema.isGreaterThan(0), Schema.isLessThanOrEqualTo(maximum))

const parameterised = [
  "softplus-rescaled",
  "leaky-rectifier",
  "prelu",
  "rrelu",
  "elu",
  "swish",
  "maxout"
] as const satisfies ReadonlyArray<ActivationName>
type ParameterlessName = Exclude<ActivationName, typeof parameterised[number]>

const parameterless = ActivationNames.literals.filter((name): name is ParameterlessName =>
  !(parameterised as ReadonlyArray<string>).includes(name)
)

export const ActivationSpec = Schema.Union([
  ActivationNames,
  ...parameterless.map((name) => closed(name, {})),
  closed("softplus-rescaled", { a: Schema.optional(Positive(1000)) }),
  closed("leaky-rectifier", { slope: Schema.optional(Fraction) }),
  closed("prelu", { shared: Schema.optional(Schema.Boolean), initial: Schema.optional(Fraction) }),
  closed("rrelu",
    { lower: Schema.optional(Fraction), upper: Schema.optional(Fraction) },
    ({ lower = 1 / 8, upper = 1 / 3 }) => lower <= upper || `rrelu needs lower <= upper (got lower ${lower}, upper ${upper})`
  ),
  closed("elu", { alpha: Schema.optional(Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 100 }))) }),
  closed("swish", { beta: Schema.optional(Positive(100)) }),
  closed("maxout", { pieces: Schema.optional(Schema.Int.check(Schema.isBetween({ minimum: 2, maximum: 16 }))) })
]).annotate({ message: `Expected an activation name (${ActivationNames.literals.join(", ")}) or { name, ...parameters }` })
export type ActivationSpec = typeof ActivationSpec.Type

/** The name a spec refers to. */
export const specName = (spec: ActivationSpec): ActivationName => typeof spec === "string" ? spec : spec.name

/** The activation a (decoded) spec describes, unspecified parameters at their defaults. */
export const resolveActivation = (spec: ActivationSpec): Activation => {
  if (typeof spec === "string") return buildActivation(spec)
  const settings: Record<string, number | boolean> = {}
  for (const [key, value] of Object.entries(spec)) {
    if (key !== "name" && (typeof value === "number" || typeof value === "boolean")) settings[key] = value
  }
  return buildActivation(spec.name, settings)
}
