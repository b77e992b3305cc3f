/**
 * Choosing, holding and releasing the TensorFlow.js backend, and what it can do.
 *
 * @module @rectifier/backend
 */
export * from "./BackendError.ts"
export * from "./BackendName.ts"
export type { Blas, Capabilities, FusedDenseLayer, SgdOperation } from "./Capabilities.ts"
export type { SgdSettings, SgdUpdate } from "./SgdUpdate.ts"
export * from "./TensorBackend.ts"
