/** Dataset loading: formats, checksums, splits and the Dataset service. */
export * from "./Checksum.ts"
export * from "./Dataset.ts"
export * from "./DatasetError.ts"
export * from "./Idx.ts"
export * from "./LabelledSet.ts"
export * from "./Mnist.ts"
