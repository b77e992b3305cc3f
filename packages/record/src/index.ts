/**
 * The shapes of a run: its configuration, its record, the numbers it is compared with, and the comparison of two outcomes.
 *
 * @module @rectifier/record
 */
export * from "./Comparable.ts"
export * from "./Compare.ts"
export * from "./RunRecord.ts"
