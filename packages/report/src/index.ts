/**
 * Rendering runs and sweeps: Markdown and HTML reports, figures, statistics over seeds, summaries and best weights.
 *
 * @module @rectifier/report
 */
export * from "./Markdown.ts"
export * from "./Report.ts"
export * from "./Charts.ts"
export * from "./DiagnosticsMarkdown.ts"
export * from "./Html.ts"
export * from "./MarkdownHtml.ts"
export * from "./RunFigures.ts"
export * from "./Safetensors.ts"
// Comparing cells over seeds: pairBySeed, pairedTTest, tost, holm, and the t tails they use.
export * from "./Statistics.ts"
export * from "./StudentT.ts"
export * from "./SweepInput.ts"
export * from "./SweepTables.ts"
export * from "./SweepFigures.ts"
export * from "./SweepRendering.ts"
export * from "./SweepReport.ts"
export * from "./Claims.ts"
export * from "./SweepSummary.ts"
