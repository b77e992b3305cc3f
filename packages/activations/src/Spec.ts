/**
 * How a configuration names an activation: a bare name (defaults) or an
 * object `{ name, ...parameters }`. Each object form accepts exactly its
 * activation's parameters, with their ranges (Parameters.ts); any other key
 * is rejected with its name, whatever parse options the caller decodes with.
 */
import { Schema } from "effect"
import type { Activation } from "./Activation.ts"
import { type ActivationName, ActivationName as ActivationNames, buildActivation } from "./Family.ts"
import { ActivationParameters, isParameterised, parameterChecks, type ParameterisedName } from "./Parameters.ts"

/** The object form of `N` with `F`'s parameters, as decoding produces it. */
type Closed<N extends ActivationName, F extends Schema.Struct.Fields> = Schema.Codec<
  { readonly name: N } & Schema.Struct<F>["Type"],
  { readonly name: N } & Schema.Struct<F>["Encoded"]
>

/**
 * `name`'s object form: its parameters' keys and checks (Parameters.ts), and
 * a failure on any key they do not declare, naming that key. Its rest
 * signature maps every other key to Never; the declared type leaves that
 * signature out, since no decoded value can carry such a key.
 */
const closed = <const N extends ActivationName, F extends Schema.Struct.Fields>(name: N, fields: F): Closed<N, F> => {
  const declared = ["name", ...Object.keys(fields)]
  const allowed = declared.length === 1 ? "it takes no parameters" : `its parameters: ${declared.slice(1).join(", ")}`
  const Other = Schema.String.check(Schema.makeFilter((key: string) => !declared.includes(key)))
  const unknownKey = Schema.Never.annotate({
    message: `not a parameter of activation "${name}" (${allowed})`
  })
  const schema = Schema.StructWithRest(Schema.Struct({ name: Schema.Literal(name), ...fields }), [
    Schema.Record(Other, unknownKey)
  ])
  const checks = parameterChecks(name)
  const checked = checks === undefined ? schema : schema.check(...(checks as unknown as Parameters<typeof schema.check>))
  return checked as unknown as Closed<N, F>
}

const parameterless = ActivationNames.literals.filter((name): name is Exclude<ActivationName, ParameterisedName> =>
  !isParameterised(name)
)

/**
 * An activation as a configuration gives it: a bare name (its defaults) or
 * `{ name, ...parameters }`, each parameter checked against its range and any
 * key the activation does not declare rejected by name. `resolveActivation`
 * turns a decoded spec into the `Activation`.
 */
export const ActivationSpec = Schema.Union([
  ActivationNames,
  ...parameterless.map((name) => closed(name, {})),
  closed("softplus-rescaled", ActivationParameters["softplus-rescaled"].fields),
  closed("leaky-rectifier", ActivationParameters["leaky-rectifier"].fields),
  closed("prelu", ActivationParameters.prelu.fields),
  closed("rrelu", ActivationParameters.rrelu.fields),
  closed("elu", ActivationParameters.elu.fields),
  closed("swish", ActivationParameters.swish.fields),
  closed("maxout", ActivationParameters.maxout.fields)
]).annotate({ message: `Expected an activation name (${ActivationNames.literals.join(", ")}) or { name, ...parameters }` })
/** A decoded spec: a name, or `{ name, ...parameters }` with only the parameters given. */
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
