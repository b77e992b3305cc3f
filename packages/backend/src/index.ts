/** Choosing, holding and releasing the TensorFlow.js backend. */
export * from "./BackendError.ts"
export * from "./BackendName.ts"
export * from "./TensorBackend.ts"
