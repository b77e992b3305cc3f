/**
 * Integer schemas every configuration shares: a positive integer, and
 * integers (and comma-separated lists) written as decimal text as flags
 * give them. `Number` reads "0x20"
 * as 32, "1e3" as 1000 and "" as 0; these schemas refuse such text and say
 * which item is wrong, so a flag is never misread.
 */
import { Schema, SchemaGetter } from "effect"

/** An integer of at least 1: a count, a size, a width. */
export const PositiveInt = Schema.Int.check(Schema.isGreaterThan(0))

/**
 * One decimal integer of at least `minimum`, as text: "32" -> 32. Only plain
 * digits without a leading zero are read ("0" itself is, where allowed). A
 * refusal says what was expected, after `what` when given ("seeds: ...").
 */
export const decimalInteger = (minimum: 0 | 1, what?: string) => {
  const expected = minimum === 1 ? "a positive decimal integer" : "a decimal integer"
  return Schema.String.check(
    Schema.makeFilter((text: string) =>
      (/^(0|[1-9][0-9]*)$/.test(text) && Number(text) >= minimum) ||
      `${what === undefined ? "" : `${what}: `}"${text}" is not ${expected}`
    )
  ).pipe(Schema.decodeTo(Schema.Int, { decode: SchemaGetter.transform(Number), encode: SchemaGetter.transform(String) }))
}

/** Comma-separated values, each decoded and checked by `item`: "a,b" -> [item("a"), item("b")]. */
export const commaList = <T extends string | number>(item: Schema.Codec<T, string>) =>
  Schema.String.pipe(
    Schema.decodeTo(Schema.Array(item), {
      decode: SchemaGetter.split({ separator: "," }),
      encode: SchemaGetter.transform((values) => values.join(","))
    })
  )

/** `what`, comma-separated decimal integers of at least `minimum`, each checked by `decimalInteger`: "1,2,3" -> [1, 2, 3]. */
export const integerList = (what: string, minimum: 0 | 1) => commaList(decimalInteger(minimum, what))
