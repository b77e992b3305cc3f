/** Cross-cutting pieces every stage shares: the seeded random source and atomic writes. */
export * from "./AtomicFile.ts"
export * from "./Rng.ts"
