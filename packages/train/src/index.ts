/** Training MLPs; for now, the plain-array weights format shared with pre-training. */
export * from "./ModelWeights.ts"
