/**
 * Comparing a fresh run's outcome with a golden one, field by field, and
 * saying what moved in words a person can act on: which metric, which epoch,
 * the old and new values.
 */
import type { Json } from "./Comparable.ts"

export interface Difference {
  /** JSON path, e.g. `epochs[2].testError`. */
  readonly path: string
  readonly golden: Json | undefined
  readonly fresh: Json | undefined
}

/** How close numbers must be: 0 means bit for bit. */
export interface Tolerance {
  readonly relative: number
  readonly absolute: number
}

export const exact: Tolerance = { relative: 0, absolute: 0 }

const close = (a: number, b: number, tolerance: Tolerance) =>
  Object.is(a, b) || Math.abs(a - b) <= tolerance.absolute + tolerance.relative * Math.max(Math.abs(a), Math.abs(b))

const child = (path: string, key: string | number) =>
  typeof key === "number" ? `${path}[${key}]` : path === "" ? key : `${path}.${key}`

/** Every place where `fresh` differs from `golden` beyond `tolerance`. */
export const compare = (golden: Json, fresh: Json, tolerance: Tolerance = exact, path = ""): Array<Difference> => {
  if (typeof golden === "number" && typeof fresh === "number") {
    return close(golden, fresh, tolerance) ? [] : [{ path, golden, fresh }]
  }
  if (Array.isArray(golden) && Array.isArray(fresh)) {
    const differences: Array<Difference> = []
    for (let i = 0; i < Math.max(golden.length, fresh.length); i++) {
      if (i >= golden.length || i >= fresh.length) differences.push({ path: child(path, i), golden: golden[i], fresh: fresh[i] })
      else differences.push(...compare(golden[i]!, fresh[i]!, tolerance, child(path, i)))
    }
    return differences
  }
  if (
    golden !== null && fresh !== null && typeof golden === "object" && typeof fresh === "object" &&
    !Array.isArray(golden) && !Array.isArray(fresh)
  ) {
    const keys = [...new Set([...Object.keys(golden), ...Object.keys(fresh)])].sort()
    const g = golden as { readonly [key: string]: Json }
    const f = fresh as { readonly [key: string]: Json }
    return keys.flatMap((key) =>
      key in g && key in f
        ? compare(g[key]!, f[key]!, tolerance, child(path, key))
        : [{ path: child(path, key), golden: g[key], fresh: f[key] }]
    )
  }
  return JSON.stringify(golden) === JSON.stringify(fresh) ? [] : [{ path, golden, fresh }]
}

const show = (value: Json | undefined) => (value === undefined ? "(absent)" : JSON.stringify(value))

/** One line per difference, naming the epoch when the path is inside the learning curve. */
export const describeDifferences = (differences: ReadonlyArray<Difference>): string =>
  differences.map((d) => {
    const epoch = /^epochs\[(\d+)\]\.(\w+)/.exec(d.path)
    const where = epoch === null ? d.path : `${epoch[2]} at epoch ${Number(epoch[1]) + 1} (${d.path})`
    return `  ${where}: golden ${show(d.golden)}, now ${show(d.fresh)}`
  }).join("\n")
