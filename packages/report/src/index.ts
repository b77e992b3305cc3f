/** Run records and the reports rendered from them. */
export * from "./Markdown.ts"
export * from "./Report.ts"
export * from "./RunRecord.ts"
export * from "./Charts.ts"
export * from "./Comparable.ts"
export * from "./Compare.ts"
export * from "./DiagnosticsMarkdown.ts"
// Comparing cells over seeds: pairBySeed, pairedTTest, tost, holm, and the t tails they use.
export * from "./Statistics.ts"
export * from "./StudentT.ts"
export * from "./SweepReport.ts"
export * from "./Claims.ts"
