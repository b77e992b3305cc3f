/** A contender's result as it prints it (one JSON object on a line), read back with a Schema rather than a cast. */
import { Schema } from "effect"

const decodeObject = Schema.decodeUnknownOption(Schema.fromJsonString(Schema.Record(Schema.String, Schema.Unknown)))

/** The object on `line`, or an `error` result naming `who` printed something else. */
export const readResult = (line: string, who: string): Record<string, unknown> => {
  const decoded = decodeObject(line)
  return decoded._tag === "Some"
    ? decoded.value
    : { error: `${who} printed a result that is not a JSON object: ${line.slice(0, 120)}` }
}
