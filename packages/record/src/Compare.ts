/**
 * Comparing a run's outcome with an expected one (a golden file, or the
 * record a rerun should reproduce), field by field, and saying what moved in
 * words a person can act on: which metric, which epoch, both values.
 */
import type { Json } from "./Comparable.ts"

/** One place where two outcomes disagree; a side is `undefined` where the field or element is missing from it. */
export interface Difference {
  /** JSON path, e.g. `epochs[2].testError`. */
  readonly path: string
  readonly expected: Json | undefined
  readonly actual: Json | undefined
}

/** How close numbers must be: 0 means bit for bit. */
export interface Tolerance {
  readonly relative: number
  readonly absolute: number
}

/** No slack: numbers must be equal bit for bit (`Object.is`); `compare`'s default. */
export const exact: Tolerance = { relative: 0, absolute: 0 }

const close = (a: number, b: number, tolerance: Tolerance) =>
  Object.is(a, b) || Math.abs(a - b) <= tolerance.absolute + tolerance.relative * Math.max(Math.abs(a), Math.abs(b))

const child = (path: string, key: string | number) =>
  typeof key === "number" ? `${path}[${key}]` : path === "" ? key : `${path}.${key}`

/** Every place where `actual` differs from `expected` beyond `tolerance`. */
export const compare = (expected: Json, actual: Json, tolerance: Tolerance = exact, path = ""): Array<Difference> => {
  if (typeof expected === "number" && typeof actual === "number") {
    return close(expected, actual, tolerance) ? [] : [{ path, expected, actual }]
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const differences: Array<Difference> = []
    for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
      if (i >= expected.length || i >= actual.length) differences.push({ path: child(path, i), expected: expected[i], actual: actual[i] })
      else differences.push(...compare(expected[i]!, actual[i]!, tolerance, child(path, i)))
    }
    return differences
  }
  if (
    expected !== null && actual !== null && typeof expected === "object" && typeof actual === "object" &&
    !Array.isArray(expected) && !Array.isArray(actual)
  ) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort()
    const e = expected as { readonly [key: string]: Json }
    const a = actual as { readonly [key: string]: Json }
    return keys.flatMap((key) =>
      key in e && key in a
        ? compare(e[key]!, a[key]!, tolerance, child(path, key))
        : [{ path: child(path, key), expected: e[key], actual: a[key] }]
    )
  }
  return JSON.stringify(expected) === JSON.stringify(actual) ? [] : [{ path, expected, actual }]
}

const show = (value: Json | undefined) => (value === undefined ? "(absent)" : JSON.stringify(value))

/**
 * One line per difference, naming the epoch when the path is inside the
 * learning curve; `labels` say what the two sides are (e.g. golden / now).
 */
export const describeDifferences = (
  differences: ReadonlyArray<Difference>,
  labels: { readonly expected: string; readonly actual: string }
): string =>
  differences.map((d) => {
    const epoch = /^epochs\[(\d+)\]\.(\w+)/.exec(d.path)
    const where = epoch === null ? d.path : `${epoch[2]} at epoch ${Number(epoch[1]) + 1} (${d.path})`
    return `  ${where}: ${labels.expected} ${show(d.expected)}, ${labels.actual} ${show(d.actual)}`
  }).join("\n")
