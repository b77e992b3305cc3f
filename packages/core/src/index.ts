/**
 * Cross-cutting pieces every stage shares: the seeded random source, atomic writes, the numerics version, number formats and integer schemas.
 *
 * @module @rectifier/core
 */
export * from "./AtomicFile.ts"
export * from "./CanonicalJson.ts"
export * from "./Format.ts"
export * from "./Integers.ts"
export * from "./Numerics.ts"
export * from "./Rng.ts"
export * from "./PlatformErrorText.ts"
