/**
 * The configuration parameters of each parameterised activation, one Schema
 * per activation: each key's values and range are its schema's checks, its
 * default and meaning are the key's annotations, and a rule across keys is
 * a check on the struct. Everything else derives from these schemas: the
 * spec form (Spec.ts) accepts exactly these keys and reports their errors,
 * the family (Family.ts) fills in the defaults, and the README table
 * (Table.ts) lists default, range and meaning.
 */
import { Schema, SchemaAST } from "effect"
import type { ParameterMeta } from "./Activation.ts"
import type { ActivationName } from "./Family.ts"

/** Configuration values in force for one activation, by parameter name. */
export type Settings = Readonly<Record<string, number | boolean>>

/** An optional key whose values `values` allows, with its default and what it sets. */
const parameter = <S extends Schema.Top>(values: S, defaultValue: S["Type"], description: string) =>
  Schema.optional(values).annotateKey({ default: defaultValue, description })

const Positive = (maximum: number) => Schema.Finite.check(Schema.isGreaterThan(0), Schema.isLessThanOrEqualTo(maximum))
const Between = (minimum: number, maximum: number) => Schema.Finite.check(Schema.isBetween({ minimum, maximum }))
const IntBetween = (minimum: number, maximum: number) => Schema.Int.check(Schema.isBetween({ minimum, maximum }))
const Fraction = Between(0, 1)

type Fields = Schema.Struct.Fields

/** Each key's default, read from its annotation. */
const defaultsOf = (fields: Fields): Settings =>
  Object.fromEntries(
    Object.entries(fields).map(([key, field]) => [key, Schema.resolveAnnotationsKey(field)?.default as number | boolean])
  )

/** `settings` with every key it leaves out (or sets to undefined) at its default. */
const withDefaults = (fields: Fields, settings: Readonly<Record<string, unknown>>): Settings =>
  Object.fromEntries(
    Object.entries(defaultsOf(fields)).map(([key, value]) => [key, (settings[key] as number | boolean | undefined) ?? value])
  )

const rreluSlopes = {
  lower: parameter(Fraction, 1 / 8, "smallest slope"),
  upper: parameter(Fraction, 1 / 3, "largest slope (at least lower)")
}

/** Each parameterised activation's parameters; an activation not named here takes none. */
export const ActivationParameters = {
  "softplus-rescaled": Schema.Struct({ a: parameter(Positive(1000), 2, "sharpness a") }),
  "leaky-rectifier": Schema.Struct({ slope: parameter(Fraction, 0.01, "negative-side slope") }),
  prelu: Schema.Struct({
    shared: parameter(Schema.Boolean, false, "one slope for the layer instead of one per unit"),
    initial: parameter(Fraction, 0.25, "initial slope")
  }),
  rrelu: Schema.Struct(rreluSlopes).check(Schema.makeFilter((given) => {
    const { lower, upper } = withDefaults(rreluSlopes, given)
    return lower! <= upper! || `rrelu needs lower <= upper (got lower ${lower}, upper ${upper})`
  })),
  elu: Schema.Struct({ alpha: parameter(Between(0, 100), 1, "negative saturation value α") }),
  swish: Schema.Struct({ beta: parameter(Positive(100), 1, "gate sharpness β") }),
  maxout: Schema.Struct({ pieces: parameter(IntBetween(2, 16), 2, "pieces k per unit") })
} satisfies Partial<Record<ActivationName, Schema.Struct<Fields>>>
/** The activations that take parameters (each has a schema in `ActivationParameters`). */
export type ParameterisedName = keyof typeof ActivationParameters

/** Whether `name` takes configuration parameters. */
export const isParameterised = (name: ActivationName): name is ParameterisedName => name in ActivationParameters

/** The fields of `name`'s parameters; none for a parameterless activation. */
export const parameterFields = (name: ActivationName): Fields =>
  isParameterised(name) ? ActivationParameters[name].fields : {}

/** The checks across keys of `name`'s parameters (rrelu's lower <= upper), for any form that holds them. */
export const parameterChecks = (name: ActivationName): SchemaAST.Checks | undefined =>
  isParameterised(name) ? ActivationParameters[name].ast.checks : undefined

/** The default value of each configuration parameter of `name`. */
export const defaultSettings = (name: ActivationName): Settings => defaultsOf(parameterFields(name))

interface JsonValues {
  readonly type?: string
  readonly minimum?: number
  readonly maximum?: number
  readonly exclusiveMinimum?: number
  readonly exclusiveMaximum?: number
}

/** The allowed values of a JSON Schema number or integer, in words; undefined for a boolean (its type says it all). */
const rangeText = (values: JsonValues): string | undefined => {
  if (values.type === "boolean") return undefined
  const kind = values.type === "integer" ? "an integer " : ""
  const low = values.exclusiveMinimum ?? values.minimum
  const high = values.exclusiveMaximum ?? values.maximum
  const open = values.exclusiveMinimum !== undefined ? "(" : "["
  const close = values.exclusiveMaximum !== undefined ? ")" : "]"
  if (low !== undefined && high !== undefined) return `${kind}in ${open}${low}, ${high}${close}`
  if (low !== undefined) return `${kind}${open === "(" ? ">" : "≥"} ${low}`
  if (high !== undefined) return `${kind}${close === ")" ? "<" : "≤"} ${high}`
  return kind === "" ? "any number" : "any integer"
}

/** Each parameter of `name` with its default, range and meaning, as its schema declares them. */
export const parameterMeta = (name: ActivationName): ReadonlyArray<ParameterMeta> => {
  const fields = parameterFields(name)
  const properties = (Schema.toJsonSchemaDocument(Schema.Struct(fields)).schema as {
    readonly properties?: Readonly<Record<string, { readonly anyOf?: ReadonlyArray<JsonValues> }>>
  }).properties ?? {}
  return Object.entries(fields).map(([key, field]) => {
    const annotations = Schema.resolveAnnotationsKey(field)
    const range = rangeText(properties[key]?.anyOf?.find((branch) => branch.type !== "null") ?? {})
    return {
      name: key,
      default: annotations?.default as number | boolean,
      ...(range === undefined ? {} : { range }),
      description: annotations?.description ?? ""
    }
  })
}
