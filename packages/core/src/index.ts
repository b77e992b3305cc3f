/** Cross-cutting pieces every stage shares: the seeded random source, atomic writes and the numerics version. */
export * from "./AtomicFile.ts"
export * from "./CanonicalJson.ts"
export * from "./Numerics.ts"
export * from "./Rng.ts"
export * from "./PlatformErrorText.ts"
