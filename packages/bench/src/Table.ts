/** The benchmark's printed tables (Markdown, so they paste into READMEs). */
import type { BenchOptions } from "./Options.ts"

type Row = { readonly batch?: number; readonly name: string; readonly result: Record<string, unknown> }

const fmt = (n: unknown, digits = 0) => typeof n === "number" ? n.toFixed(digits) : "-"

const trainTable = (rows: ReadonlyArray<Row>): string => {
  const lines = [
    "| batch | backend | samples/s (best round) | vs PyTorch (best/best) | vs PyTorch (median of per-round ratios) | final loss | peak RSS MiB | tensors before/after |",
    "|---:|---|---:|---:|---:|---:|---:|---|"
  ]
  for (const row of rows) {
    const torch = rows.find((r) => r.batch === row.batch && r.name === "pytorch")?.result["samplesPerSecond"]
    const speed = row.result["samplesPerSecond"]
    const ratio = typeof speed === "number" && typeof torch === "number" ? `${(speed / torch).toFixed(2)}x` : "-"
    const tensors = row.result["tensorsBefore"] === undefined
      ? "-"
      : `${row.result["tensorsBefore"]}/${row.result["tensorsAfter"]}`
    const error = row.result["error"]
    const paired = row.result["pairedRatio"]
    lines.push(
      `| ${row.batch} | ${row.name} | ${error === undefined ? fmt(speed) : `unavailable: ${String(error)}`} | ${ratio} | ` +
        `${typeof paired === "number" ? `${paired.toFixed(2)}x` : "-"} | ` +
        `${fmt(row.result["finalLoss"], 4)} | ${fmt(row.result["peakRssMiB"])} | ${tensors} |`
    )
  }
  return lines.join("\n")
}

const activationTable = (rows: ReadonlyArray<Row>): string => {
  const names = [...new Set(rows.flatMap((r) => Object.keys((r.result["elementsPerSecond"] ?? {}) as object)))]
  const lines = [`| activation | ${rows.map((r) => `${r.name} (M elements/s)`).join(" | ")} |`]
  lines.push(`|---|${rows.map(() => "---:").join("|")}|`)
  for (const name of names) {
    const cells = rows.map((r) => {
      const value = ((r.result["elementsPerSecond"] ?? {}) as Record<string, number>)[name]
      return value === undefined ? "-" : (value / 1e6).toFixed(1)
    })
    lines.push(`| ${name} | ${cells.join(" | ")} |`)
  }
  return lines.join("\n")
}

export const formatTable = (options: BenchOptions, rows: ReadonlyArray<Row>): string =>
  `threads: ${options.threads}` + (options.command === "train" ? `, steps: ${options.steps}, best of ${options.rounds} rounds` : "") + "\n" +
  (options.command === "train" ? trainTable(rows) : activationTable(rows))
