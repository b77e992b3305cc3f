/** The activation family, its configuration form, samples for plots, and weight initialisers. */
export * from "./Activation.ts"
export * from "./Family.ts"
export * from "./Initializer.ts"
export * from "./Spec.ts"
export * from "./Sample.ts"
export * from "./Throughput.ts"
