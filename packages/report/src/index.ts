/** Run records and the reports rendered from them. */
export * from "./Markdown.ts"
export * from "./Report.ts"
export * from "./RunRecord.ts"
export * from "./Charts.ts"
export * from "./DiagnosticsMarkdown.ts"
export * from "./Statistics.ts"
export * from "./SweepReport.ts"
