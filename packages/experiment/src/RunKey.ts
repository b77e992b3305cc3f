/**
 * Run identity: a run is named by the SHA-256 of its resolved configuration
 * (which holds its seed and backend choice) and the numerics version (see
 * @rectifier/core's Numerics.ts; runs with sparse products on also hash theirs), so an unchanged run is recognised as done
 * across commits that cannot move its numbers, and a run whose numbers could
 * differ is never confused with it. The exact commit is recorded in the run
 * record, not hashed.
 */
import { canonicalJson, SPARSE_PRODUCTS_VERSION } from "@rectifier/core"
import type { RunConfig } from "@rectifier/record"
import { createHash } from "node:crypto"

export { canonicalJson }

/**
 * The first 12 hex digits of the hash of `config` and the numerics version, and, when `config`
 * turns the sparse products on, their version too.
 */
export const runKey = (config: RunConfig, numericsVersion: number, sparseProductsVersion = SPARSE_PRODUCTS_VERSION): string => {
  const identity = config.sparseProducts === undefined
    ? { config, numerics: numericsVersion }
    : { config, numerics: numericsVersion, sparseProducts: sparseProductsVersion }
  return createHash("sha256").update(canonicalJson(identity)).digest("hex").slice(0, 12)
}

/** A folder-safe form of a cell label: "tanh, pre-trained" -> "tanh-pre-trained". */
export const slug = (label: string): string =>
  label.toLowerCase().replace(/[^a-z0-9.]+/g, "-").replace(/^-+|-+$/g, "") || "run"

/** A sweep's run folder name, `<cell slug>-seed<n>-<key>`: people read the cell and seed, tools the key. */
export const runFolderName = (cell: string, seed: number, key: string): string => `${slug(cell)}-seed${seed}-${key}`

/** The run key a folder named by {@link runFolderName} ends with. */
export const folderKey = (name: string): string => name.slice(name.lastIndexOf("-") + 1)
