/** The benchmark's printed tables (Markdown, so they paste into READMEs). */
import { machine, pipelineContender, sparsePipelineContender } from "./EndToEnd.ts"
import { sgemmCeiling } from "./Measure.ts"
import type { BenchOptions } from "./Options.ts"

type Row = { readonly batch?: number; readonly name: string; readonly result: Record<string, unknown> }

const fmt = (n: unknown, digits = 0) => typeof n === "number" ? n.toFixed(digits) : "-"

const densities = (value: unknown): string =>
  Array.isArray(value) ? value.map((d) => typeof d === "number" ? d.toFixed(2) : "-").join(", ") : "-"

const trainTable = (rows: ReadonlyArray<Row>): string => {
  const lines = [
    "| batch | backend | samples/s (best round) | vs PyTorch (best/best) | vs PyTorch (median of per-round ratios) | % of sgemm ceiling (best/best) | final loss | kernels a step | peak RSS MiB | tensors before/after |",
    "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|"
  ]
  const speedOf = (batch: number | undefined, name: string) =>
    rows.find((r) => r.batch === batch && r.name === name)?.result["samplesPerSecond"]
  for (const row of rows) {
    const torch = speedOf(row.batch, "pytorch")
    const ceiling = speedOf(row.batch, sgemmCeiling)
    const speed = row.result["samplesPerSecond"]
    const ratio = typeof speed === "number" && typeof torch === "number" ? `${(speed / torch).toFixed(2)}x` : "-"
    const share = typeof speed === "number" && typeof ceiling === "number" ? `${(100 * speed / ceiling).toFixed(0)}%` : "-"
    const tensors = row.result["tensorsBefore"] === undefined
      ? "-"
      : `${row.result["tensorsBefore"]}/${row.result["tensorsAfter"]}`
    const error = row.result["error"]
    const paired = row.result["pairedRatio"]
    lines.push(
      `| ${row.batch} | ${row.name} | ${error === undefined ? fmt(speed) : `unavailable: ${String(error)}`} | ${ratio} | ` +
        `${typeof paired === "number" ? `${paired.toFixed(2)}x` : "-"} | ${share} | ` +
        `${fmt(row.result["finalLoss"], 4)} | ${fmt(row.result["kernelsPerStep"])} | ${fmt(row.result["peakRssMiB"])} | ${tensors} |`
    )
  }
  // The ceiling's forward pass measured how sparse each layer's input is.
  const measured = rows.filter((r) => r.name === sgemmCeiling && r.result["layerInputDensity"] !== undefined)
  if (measured.length > 0) {
    lines.push("", "| batch | density of each layer's input (nonzero share: pixels, then hidden layers 1-3) | sgemm GFLOP/s |", "|---:|---|---:|")
    for (const row of measured) {
      lines.push(`| ${row.batch} | ${densities(row.result["layerInputDensity"])} | ${fmt(row.result["gflopsPerSecond"], 1)} |`)
    }
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

const productTable = (rows: ReadonlyArray<Row>): string => {
  const lines = [
    "| batch | density | product | sgemm ms | sparse ms | sparse speed-up |",
    "|---:|---:|---|---:|---:|---:|"
  ]
  for (const { result } of rows) {
    const dense = result["denseMs"]
    const sparse = result["sparseMs"]
    const speedUp = typeof dense === "number" && typeof sparse === "number" ? `${(dense / sparse).toFixed(2)}x` : "-"
    lines.push(`| ${result["batch"]} | ${result["density"]} | ${result["product"]} | ${fmt(dense, 3)} | ${fmt(sparse, 3)} | ${speedUp} |`)
  }
  return lines.join("\n")
}

const seconds = (values: unknown): string =>
  Array.isArray(values) ? values.map((v) => typeof v === "number" ? v.toFixed(1) : "failed").join(", ") : "-"

const pipelineTable = (rows: ReadonlyArray<Row>): string => {
  const lines = [
    "| batch | contender | wall s (median) | wall s in each round | speed vs PyTorch (median of per-round ratios) | per-round ratios | test error |",
    "|---:|---|---:|---|---:|---|---:|"
  ]
  for (const { batch, name, result } of rows) {
    const paired = result["pairedRatio"]
    const ratios = result["roundRatios"]
    const error = result["error"]
    lines.push(
      `| ${batch} | ${name}${result["backend"] === undefined ? "" : ` (${String(result["backend"])})`} | ` +
        `${error === undefined ? fmt(result["medianWallSeconds"], 1) : `failed: ${String(error)}`} | ${seconds(result["roundsWallSeconds"])} | ` +
        `${typeof paired === "number" ? `${paired.toFixed(2)}x` : "-"} | ` +
        `${Array.isArray(ratios) ? ratios.map((r: number) => `${r.toFixed(2)}x`).join(", ") : "-"} | ` +
        `${typeof result["testError"] === "number" ? `${(100 * result["testError"]).toFixed(2)}%` : "-"} |`
    )
  }
  const commands = rows.filter((r) => typeof r.result["command"] === "string")
  lines.push("", "commands (the pipeline's --out is a temporary folder, removed after each run):")
  for (const { batch, name, result } of commands) lines.push(`  batch ${batch} ${name}: ${String(result["command"])}`)
  return lines.join("\n")
}

export const formatTable = (options: BenchOptions, rows: ReadonlyArray<Row>): string => {
  switch (options.command) {
    case "train":
      return `threads: ${options.threads}, steps: ${options.steps}, best of ${options.rounds} rounds, data: ${options.data}, ` +
        `weights: ${options.weights ?? "fresh (Glorot uniform)"}\n${trainTable(rows)}`
    case "products":
      return `threads: ${options.threads}, median of 5 measurements of ${options.reps} calls\n${productTable(rows)}`
    case "activations":
      return `threads: ${options.threads}\n${activationTable(rows)}`
    case "pipeline": {
      const { cpu, cores } = machine()
      return `${cpu} (${cores} cores), threads: ${options.threads}, ${options.trainSize} training examples, ` +
        `${options.epochs} epochs, ${options.rounds} rounds; ${pipelineContender} is pnpm run pipeline mnist-relu` +
        (options.sparse ? `, ${sparsePipelineContender} the same with --sparse-products` : "") + `\n${pipelineTable(rows)}`
    }
  }
}
