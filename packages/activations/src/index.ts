/** The activation family and weight initialisers. */
export * from "./Activation.ts"
export * from "./Family.ts"
export * from "./Initializer.ts"
