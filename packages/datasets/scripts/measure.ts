/**
 * Load time and peak memory of one dataset load, in a fresh process:
 *   pnpm exec node packages/datasets/scripts/measure.ts <name> [--offline] [--data-dir DIR] [--expected-pairs N] [--split T,V,Te]
 *   pnpm exec node packages/datasets/scripts/measure.ts norb-file <dat.mat.gz> <cat.mat.gz> [side=108]
 * Prints the split sizes, the final arrays' bytes, wall time and peak RSS (getrusage).
 */
import { Effect } from "effect"
import { FetchHttpClient } from "effect/http"
import { fileSource, gunzipped, runParser } from "../src/ByteReader.ts"
import { type DatasetName, loadDataset, readNorb } from "../src/index.ts"

const args = process.argv.slice(2)
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const mib = (bytes: number) => (bytes / 1048576).toFixed(0)
/** CPU time of this process (user + system): on a shared machine, steadier than wall time. */
const cpuSeconds = () => {
  const { system, user } = process.cpuUsage()
  return Number(((user + system) / 1e6).toFixed(2))
}

if (args[0] === "norb-file") {
  const [, dat = "", cat = "", side = "108"] = args
  const baseline = process.resourceUsage().maxRSS
  const start = performance.now()
  const set = await Effect.runPromise(runParser(dat, (signal) =>
    readNorb([{ dat: gunzipped(fileSource(dat)), cat: gunzipped(fileSource(cat)) }], {
      side: Number(side),
      outSide: 32,
      classes: 6,
      scale: { scale: 2 / 255, offset: -1 }
    }, signal)))
  console.log(JSON.stringify({
    file: dat,
    pairs: set.count,
    features: set.features,
    finalArrayMiB: mib(set.inputs.byteLength + set.labels.byteLength),
    seconds: Number(((performance.now() - start) / 1000).toFixed(2)),
    cpuSeconds: cpuSeconds(),
    baselineRssMiB: mib(baseline * 1024),
    peakRssMiB: mib(process.resourceUsage().maxRSS * 1024)
  }))
  process.exit(0)
}

const name = args[0] as DatasetName
const split = flag("--split")?.split(",").map(Number)
const pairs = flag("--expected-pairs")
const baseline = process.resourceUsage().maxRSS
const start = performance.now()
const data = await Effect.runPromise(
  loadDataset({
    name,
    // Without --offline, RECTIFIER_OFFLINE decides.
    offline: args.includes("--offline") ? true : undefined,
    dataDir: flag("--data-dir"),
    expected: pairs === undefined ? undefined : { pairsPerFile: Number(pairs) },
    split: split === undefined ? undefined : { train: split[0], validation: split[1], test: split[2] }
  }).pipe(Effect.provide(FetchHttpClient.layer))
)
const seconds = (performance.now() - start) / 1000
const sets = [data.train, data.validation, data.test]
const arrayBytes = sets.reduce((sum, set) => sum + set.inputs.byteLength + set.labels.byteLength, 0)
console.log(JSON.stringify({
  name,
  split: sets.map((set) => set.count),
  features: data.train.features,
  // The splits are views of the official arrays: count their backing buffers once.
  finalArraysMiB: mib([...new Set(sets.map((set) => set.inputs.buffer))].reduce((s, b) => s + b.byteLength, 0)),
  splitViewsMiB: mib(arrayBytes),
  seconds: Number(seconds.toFixed(2)),
  cpuSeconds: cpuSeconds(),
  baselineRssMiB: mib(baseline * 1024),
  peakRssMiB: mib(process.resourceUsage().maxRSS * 1024)
}))
