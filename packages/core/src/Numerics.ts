/**
 * The numerics version: a number that changes only when a change to the code
 * can move a run's numbers (a kernel's rounding, an initialiser, the order of
 * random draws). Run identities hash it instead of the git commit, so a
 * commit that only touches docs, the CLI or the reports keeps every finished
 * run; the golden records carry it, and the golden tests fail when the
 * committed records were written under another version, so bumping it and
 * re-recording the goldens happen in one commit.
 */
export const NUMERICS_VERSION = 1

/**
 * The version of the native backend's sparse products' rounding (off unless a
 * run's configuration sets `sparseProducts`). Only runs that turn them on hash
 * it, so a change to those kernels re-keys sparse runs and never a dense one.
 * 2: packed, fused multiply-adds and limits 0.35 / 0.15 (twelfth session).
 */
export const SPARSE_PRODUCTS_VERSION = 2
