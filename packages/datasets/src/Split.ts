/**
 * Turning a dataset's official train and test sets into the train /
 * validation / test split of an experiment, and the labelled-fraction
 * option of the paper's Figure 4. Validation examples come from the end of
 * the official training set (MNIST, NORB, EMNIST) or from the start of the
 * official test set (CIFAR-10, whose paper split is 50k / 5k / 5k).
 */
import { RandomStream } from "@rectifier/core"
import { InvalidSplit } from "./DatasetError.ts"
import { gather, type LabelledSet, slice, type SplitDataset } from "./LabelledSet.ts"

/** A dataset's default split (the paper's), in examples; `applySplit` applies it. */
export interface SplitPlan {
  /** Which official set the validation examples come from: the end of `train`, or the start of `test`. */
  readonly validationFrom: "train" | "test"
  /** Training examples; fewer when the official training set leaves fewer after validation. */
  readonly train: number
  readonly validation: number
  /** Test examples; fewer when the official test set leaves fewer after validation. */
  readonly test: number
}

/** Overrides of a dataset's default split sizes. */
export interface SplitOptions {
  readonly train?: number | undefined
  readonly validation?: number | undefined
  readonly test?: number | undefined
}

/** What `applySplit` splits: a dataset's official training and test sets, with its name, classes and example shape. */
export interface SplitInput {
  readonly name: string
  readonly classes: number
  readonly exampleShape: ReadonlyArray<number>
  readonly train: LabelledSet
  readonly test: LabelledSet
}

const checkCount = (dataset: string, what: string, value: number, max: number): InvalidSplit | undefined =>
  Number.isInteger(value) && value >= 0 && value <= max
    ? undefined
    : new InvalidSplit({ dataset, problem: `${what} ${value} is not a whole number between 0 and ${max}` })

/** Applies a split plan (with overrides) to the official sets; the splits share their memory. */
export const applySplit = (
  input: SplitInput,
  plan: SplitPlan,
  overrides: SplitOptions = {}
): SplitDataset | InvalidSplit => {
  const validation = overrides.validation ?? plan.validation
  const official = { train: input.train.count, test: input.test.count }
  const pool = plan.validationFrom === "train" ? official.train : official.test
  const badValidation = checkCount(input.name, `validation size (from the official ${plan.validationFrom} set)`, validation, pool)
  if (badValidation) return badValidation
  const trainMax = official.train - (plan.validationFrom === "train" ? validation : 0)
  const testMax = official.test - (plan.validationFrom === "test" ? validation : 0)
  const train = overrides.train ?? Math.min(plan.train, trainMax)
  const test = overrides.test ?? Math.min(plan.test, testMax)
  const bad = checkCount(input.name, "train size", train, trainMax) ?? checkCount(input.name, "test size", test, testMax)
  if (bad) return bad
  return plan.validationFrom === "train"
    ? {
      name: input.name,
      classes: input.classes,
      exampleShape: input.exampleShape,
      train: slice(input.train, 0, train),
      validation: slice(input.train, official.train - validation, official.train),
      test: slice(input.test, 0, test)
    }
    : {
      name: input.name,
      classes: input.classes,
      exampleShape: input.exampleShape,
      train: slice(input.train, 0, train),
      validation: slice(input.test, 0, validation),
      test: slice(input.test, validation, validation + test)
    }
}

/**
 * Keeps the labels of a random `fraction` of the training set (drawn from a
 * stream derived from `seed`, so the same seed keeps the same examples); the
 * rest becomes the `unlabelled` set.
 */
export const withLabelledFraction = (
  split: SplitDataset,
  fraction: number,
  seed: number
): SplitDataset | InvalidSplit => {
  if (!(fraction > 0 && fraction <= 1)) {
    return new InvalidSplit({ dataset: split.name, problem: `labelled fraction ${fraction} is not in (0, 1]` })
  }
  if (fraction === 1) return split
  const count = split.train.count
  const keep = Math.max(1, Math.round(fraction * count))
  const order = RandomStream.derive(seed, "datasets/labelled-fraction").permutation(count)
  const labelled = order.subarray(0, keep).slice().sort()
  const unlabelled = order.subarray(keep).slice().sort()
  return { ...split, train: gather(split.train, labelled), unlabelled: gather(split.train, unlabelled) }
}
