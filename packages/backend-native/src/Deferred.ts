/**
 * What a deferred tensor of the native backend stands for: a recipe over
 * other tensors, computed only when something reads the values. Kernels that
 * know a recipe use it instead: the SGD update adds a deferred product straight
 * into the weights, and a multiplication by a deferred step (the rectifier's
 * gradient) reads the step's input directly, in one pass.
 */
import type { DataId } from "@tensorflow/tfjs-core"

/** op(a) op(b), an m x n matrix with inner size k. */
export interface ProductRecipe {
  readonly kind: "product"
  readonly a: DataId
  readonly b: DataId
  readonly transposeA: boolean
  readonly transposeB: boolean
  readonly m: number
  readonly n: number
  readonly k: number
}

/** step(x): 1 where x > 0, 0 elsewhere, NaN where x is NaN. */
export interface StepRecipe {
  readonly kind: "step"
  readonly x: DataId
}

export type Recipe = ProductRecipe | StepRecipe

/** The tensors a recipe reads; it holds a reference to each until it is disposed. */
export const operandsOf = (recipe: Recipe): ReadonlyArray<DataId> =>
  recipe.kind === "product" ? [recipe.a, recipe.b] : [recipe.x]
