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
