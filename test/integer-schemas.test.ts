/**
 * The integer schemas that the pipeline CLI, the bench and the configurations
 * share (@rectifier/core): decimal text is read only when it is plainly
 * decimal, and a refusal names the item and what was expected.
 */
import { assert, describe, it } from "@effect/vitest"
import { decimalInteger, integerList, PositiveInt } from "@rectifier/core"
import { Result, Schema } from "effect"

const decode = <T>(schema: Schema.Codec<T, string>, text: string) => Schema.decodeUnknownResult(schema)(text)
const failure = <T>(schema: Schema.Codec<T, string>, text: string): string => {
  const result = decode(schema, text)
  return Result.isSuccess(result) ? assert.fail(`${text} was accepted`) : String(result.failure)
}

describe("integer schemas", () => {
  it("reads plain decimal integers and refuses what Number would misread", () => {
    assert.strictEqual(Result.getOrThrow(decode(decimalInteger(1), "32")), 32)
    assert.strictEqual(Result.getOrThrow(decode(decimalInteger(0), "0")), 0)
    for (const text of ["0x20", "1e3", "+5", "", " 5", "007", "2.5", "-1"]) {
      assert.include(failure(decimalInteger(0), text), `"${text}" is not a decimal integer`)
    }
    assert.include(failure(decimalInteger(1), "0"), `"0" is not a positive decimal integer`)
  })

  it("reads comma-separated lists item by item, naming the list and the bad item", () => {
    assert.deepStrictEqual(Result.getOrThrow(decode(integerList("seeds", 0), "0,1,12")), [0, 1, 12])
    const hex = failure(integerList("widths", 1), "10,0x20")
    assert.include(hex, `widths: "0x20" is not a positive decimal integer`)
    assert.include(hex, "[1]")
    assert.include(failure(integerList("widths", 1), "10,,100"), `widths: "" is not a positive decimal integer`)
    assert.strictEqual(Schema.encodeSync(integerList("seeds", 0))([3, 4]), "3,4")
  })

  it("PositiveInt is an integer of at least 1", () => {
    assert.isTrue(Schema.is(PositiveInt)(1))
    for (const value of [0, -3, 1.5, Number.NaN]) assert.isFalse(Schema.is(PositiveInt)(value), String(value))
  })
})
