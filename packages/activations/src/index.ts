/**
 * The activation family, its configuration form, samples for plots, and weight initialisers.
 *
 * @module @rectifier/activations
 */
export * from "./Activation.ts"
export * from "./Family.ts"
export * from "./Initializer.ts"
export * from "./Parameters.ts"
export * from "./Spec.ts"
export * from "./Sample.ts"
export * from "./Throughput.ts"
