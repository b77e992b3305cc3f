/** How numbers read in reports, listings and progress lines, written once so they read the same everywhere. */

/** A fraction as a percentage: 0.0143 -> "1.43%"; undefined -> "—" (a cell with no value). */
export const percent = (value: number | undefined, digits = 2): string =>
  value === undefined ? "—" : `${(100 * value).toFixed(digits)}%`

/** "42s", "3m05s", "4h10m", "2.1 days". */
export const formatDuration = (seconds: number): string => {
  const s = Math.round(seconds)
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`
  const h = Math.floor(m / 60)
  if (h < 48) return `${h}h${String(m % 60).padStart(2, "0")}m`
  return `${(h / 24).toFixed(1)} days`
}

/** A Markdown table: header, separator and rows, one per line. */
export const markdownTable = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string =>
  [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${row.join(" | ")} |`)
  ].join("\n")
