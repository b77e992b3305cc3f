/**
 * Dataset loading: formats, checksums, downloads, splits and the Dataset service.
 *
 * @module @rectifier/datasets
 */
export * from "./Checksum.ts"
export * from "./cli/DatasetsCommand.ts"
export * from "./Cifar.ts"
export * from "./Dataset.ts"
export * from "./DatasetError.ts"
export { cifar10File } from "./datasets/Cifar10.ts"
export { emnistFile } from "./datasets/EmnistByclass.ts"
export { DEBIAN_FASHION_MNIST, fashionMnistFiles, fashionMnistPath } from "./datasets/FashionMnist.ts"
export { idxBytes } from "./datasets/MnistFormat.ts"
export * from "./DatasetSpec.ts"
export * from "./DataSourceConfig.ts"
export * from "./Download.ts"
export * from "./Emnist.ts"
export * from "./Idx.ts"
export * from "./LabelledSet.ts"
export * from "./Load.ts"
export * from "./Mnist.ts"
export * from "./Normalisation.ts"
export * from "./Norb.ts"
export * from "./Registry.ts"
export * from "./Split.ts"
