/** Golden run records: the committed outcomes every change must reproduce. */
export * from "./Golden.ts"
export * from "./GoldenCase.ts"
export * from "./GoldenCommand.ts"
export * from "./GoldenError.ts"
