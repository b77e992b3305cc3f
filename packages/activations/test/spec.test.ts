/**
 * The configuration form: bare names, objects with parameters, defaults, and
 * the errors for unknown names, unknown parameters and out-of-range values.
 */
import { assert, describe, it } from "@effect/vitest"
import { Result, Schema } from "effect"
import {
  activation,
  ActivationName,
  ActivationParameters,
  ActivationSpec,
  defaultSettings,
  definitions,
  family,
  parameterMeta,
  resolveActivation
} from "../src/index.ts"

const decode = (input: unknown, options?: { readonly onExcessProperty: "ignore" | "error" }) =>
  Schema.decodeUnknownResult(ActivationSpec)(input, options)

const errorOf = (input: unknown, options?: { readonly onExcessProperty: "ignore" | "error" }): string => {
  const result = decode(input, options)
  if (Result.isSuccess(result)) return assert.fail(`${JSON.stringify(input)} was accepted`)
  return String(result.failure)
}

describe("ActivationSpec", () => {
  it("accepts every name, bare and as { name }", () => {
    for (const name of ActivationName.literals) {
      assert.strictEqual(Result.getOrThrow(decode(name)), name)
      assert.deepStrictEqual(Result.getOrThrow(decode({ name })), { name })
    }
  })

  it("accepts each documented parameter at its default", () => {
    for (const name of ActivationName.literals) {
      const params = Object.fromEntries(definitions[name].meta.parameters.map((p) => [p.name, p.default]))
      assert.deepStrictEqual(Result.getOrThrow(decode({ name, ...params })), { name, ...params })
    }
  })

  it("keeps the existing names working", () => {
    for (const name of ["rectifier", "rectifier-alternating", "tanh", "softplus", "sigmoid"] as const) {
      assert.strictEqual(activation(name).name, name)
      assert.strictEqual(activation(name).fanInFactor, 1)
    }
  })

  it("rejects an unknown parameter by name, even when the caller ignores excess properties", () => {
    const ignoring = errorOf({ name: "elu", beta: 2 })
    assert.include(ignoring, `not a parameter of activation "elu" (its parameters: alpha)`)
    assert.include(ignoring, `["beta"]`)
    assert.include(errorOf({ name: "elu", beta: 2 }, { onExcessProperty: "error" }), `["beta"]`)
    assert.include(errorOf({ name: "tanh", slope: 0.1 }), "it takes no parameters")
    assert.include(errorOf({ name: "tanh", slope: 0.1 }), `["slope"]`)
  })

  it("rejects out-of-range and mistyped values at their key", () => {
    assert.include(errorOf({ name: "leaky-rectifier", slope: 1.5 }), `["slope"]`)
    assert.include(errorOf({ name: "maxout", pieces: 2.5 }), `["pieces"]`)
    assert.include(errorOf({ name: "maxout", pieces: 1 }), `["pieces"]`)
    assert.include(errorOf({ name: "softplus-rescaled", a: 0 }), `["a"]`)
    assert.include(errorOf({ name: "prelu", shared: "yes" }), `["shared"]`)
    assert.include(errorOf({ name: "rrelu", lower: 0.5, upper: 0.2 }), "lower <= upper")
  })

  it("rejects unknown names, listing the valid ones", () => {
    assert.include(errorOf("relu6"), "rectifier")
    assert.include(errorOf({ name: "relu6" }), "an activation name")
  })

  it("resolves defaults and given parameters", () => {
    assert.deepStrictEqual(resolveActivation("elu").settings, { alpha: 1 })
    assert.deepStrictEqual(resolveActivation({ name: "elu", alpha: 0.3 }).settings, { alpha: 0.3 })
    assert.deepStrictEqual(resolveActivation({ name: "prelu", shared: true }).settings, { shared: true, initial: 0.25 })
    assert.strictEqual(resolveActivation({ name: "maxout", pieces: 4 }).fanInFactor, 4)
    assert.strictEqual(family.maxout.fanInFactor, 2)
    for (const name of ["glu", "reglu", "geglu", "swiglu"] as const) assert.strictEqual(family[name].fanInFactor, 2)
  })

  it("gives PReLU one slope per unit, or one shared", () => {
    const perUnit = resolveActivation("prelu").parameters(5)
    assert.strictEqual(perUnit.length, 1)
    assert.strictEqual(perUnit[0]!.name, "slope")
    assert.deepStrictEqual(Array.from(perUnit[0]!.initial), [0.25, 0.25, 0.25, 0.25, 0.25])
    const shared = resolveActivation({ name: "prelu", shared: true, initial: 0.1 }).parameters(5)
    assert.deepStrictEqual(Array.from(shared[0]!.initial), [Math.fround(0.1)])
  })
})

describe("metadata", () => {
  it("is complete for every member", () => {
    for (const name of ActivationName.literals) {
      const meta = definitions[name].meta
      for (const field of [meta.formula, meta.origin, meta.range, meta.convention]) assert.isAbove(field.length, 0, name)
      assert.isTrue(meta.year >= 1980 && meta.year <= 2026, name)
    }
  })

  it("documents exactly the parameters the spec accepts", () => {
    for (const name of ActivationName.literals) {
      for (const parameter of definitions[name].meta.parameters) {
        assert.isTrue(Result.isSuccess(decode({ name, [parameter.name]: parameter.default })), `${name}.${parameter.name}`)
      }
      const undocumented = errorOf({ name, undocumented: 1 })
      const documented = definitions[name].meta.parameters.map((p) => p.name)
      assert.include(undocumented, documented.length === 0 ? "it takes no parameters" : documented.join(", "))
    }
  })
})

describe("parameter schemas", () => {
  it("give each parameter's default, range and meaning from one schema per activation", () => {
    assert.deepStrictEqual(parameterMeta("softplus-rescaled"), [
      { name: "a", default: 2, range: "in (0, 1000]", description: "sharpness a" }
    ])
    assert.deepStrictEqual(parameterMeta("maxout"), [
      { name: "pieces", default: 2, range: "an integer in [2, 16]", description: "pieces k per unit" }
    ])
    assert.deepStrictEqual(parameterMeta("prelu").map((p) => [p.name, p.default, p.range]), [
      ["shared", false, undefined],
      ["initial", 0.25, "in [0, 1]"]
    ])
    assert.deepStrictEqual(parameterMeta("tanh"), [])
    assert.deepStrictEqual(defaultSettings("rrelu"), { lower: 1 / 8, upper: 1 / 3 })
    assert.deepStrictEqual(definitions.swish.meta.parameters, parameterMeta("swish"))
    for (const name of ActivationName.literals) {
      assert.deepStrictEqual(activation(name).settings, defaultSettings(name), name)
      const keys = name in ActivationParameters ? Object.keys(ActivationParameters[name as keyof typeof ActivationParameters].fields) : []
      assert.deepStrictEqual(parameterMeta(name).map((p) => p.name), keys, name)
    }
  })

  it("accepts the ends of a closed range and rejects what lies just beyond, at the key", () => {
    assert.isTrue(Result.isSuccess(decode({ name: "softplus-rescaled", a: 1000 })))
    assert.include(errorOf({ name: "softplus-rescaled", a: 1000.5 }), `["a"]`)
    assert.isTrue(Result.isSuccess(decode({ name: "elu", alpha: 0 })))
    assert.isTrue(Result.isSuccess(decode({ name: "elu", alpha: 100 })))
    assert.include(errorOf({ name: "elu", alpha: -0.1 }), `["alpha"]`)
    assert.isTrue(Result.isSuccess(decode({ name: "maxout", pieces: 16 })))
    assert.include(errorOf({ name: "maxout", pieces: 17 }), `["pieces"]`)
  })

  it("checks rrelu's lower <= upper against the default of the key left out", () => {
    assert.include(errorOf({ name: "rrelu", lower: 0.5 }), "rrelu needs lower <= upper (got lower 0.5, upper 0.3333333333333333)")
    assert.include(errorOf({ name: "rrelu", upper: 0.1 }), "(got lower 0.125, upper 0.1)")
    assert.isTrue(Result.isSuccess(decode({ name: "rrelu", lower: 0.2 })))
    assert.deepStrictEqual(Result.getOrThrow(decode({ name: "rrelu", upper: 0.5 })), { name: "rrelu", upper: 0.5 })
  })
})
