/**
 * A sweep's exports for other tools, read by other tools: the smoke sweep
 * (2 cells x 2 seeds, shortened, each run choosing between two learning
 * rates) run in this process, then the sweep's report writer. Python reads
 * `summary.csv` with its csv module, and each `<cell>.safetensors` with
 * plain `json` + `struct` + `torch.frombuffer` (Debian has no
 * python3-safetensors package, so its `load_file` is not available; the
 * format is simple enough that this is what it does): every tensor must
 * carry, bit for bit, the weights of the best run's best checkpoint.
 * PyTorch is Debian's `python3-torch` (`bash scripts/setup.sh --test`
 * installs it); without it this test fails and says so.
 */
import { NodeServices } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { findPreset, runPipeline } from "@rectifier/experiment"
import { bestRuns, planSweep, writeReport } from "@rectifier/experiment"
import { readWeights } from "@rectifier/train"
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"
import { basename, join } from "node:path"
import { temporaryFolder } from "./helpers.ts"

/** Prints, as JSON, summary.csv's rows and every safetensors file's metadata, shapes and float32 bit patterns. */
const reader = `
import csv, json, struct, sys, pathlib, torch
folder = pathlib.Path(sys.argv[1])
out = {"rows": list(csv.DictReader(open(folder / "summary.csv", newline=""))), "files": {}}
for file in sorted(folder.glob("*.safetensors")):
    data = bytearray(file.read_bytes())
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    body = data[8 + length:]
    tensors = {}
    end = 0
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        begin, stop = spec["data_offsets"]
        assert spec["dtype"] == "F32", spec
        tensor = torch.frombuffer(body[begin:stop], dtype=torch.float32).reshape(spec["shape"])
        tensors[name] = {"shape": list(tensor.shape), "bits": tensor.view(torch.int32).flatten().tolist()}
        end = max(end, stop)
    assert end == len(body), (end, len(body))
    out["files"][file.name] = {"metadata": header["__metadata__"], "tensors": tensors, "aligned": (8 + length) % 8 == 0}
print(json.dumps(out))
`

const bits = (values: Float32Array) => [...new Int32Array(values.buffer, values.byteOffset, values.length)]

describe("sweep exports (summary tables and safetensors, read by Python)", () => {
  it.live("writes summary.csv/json with one row per run and each cell's best weights, bit for bit", () =>
    Effect.gen(function*() {
      const preset = yield* findPreset("smoke")
      const overrides = {
        dataset: { trainSize: 300, evaluationSize: 200 },
        training: { hiddenLayers: [16, 16], epochs: 2, learningRates: [0.1, 0.05] }
      }
      const plan = yield* planSweep(preset, { out: temporaryFolder("exports"), overrides })
      assert.strictEqual(plan.runs.length, 4)
      for (const run of plan.runs) yield* runPipeline(preset, run.config, { out: plan.folder, folder: run.folder })
      const written = yield* writeReport(preset, plan.folder, plan.runs)
      assert.deepStrictEqual(written.weights.map((f) => basename(f)), ["rectifier.safetensors", "tanh.safetensors"])

      const summary = JSON.parse(readFileSync(written.summary.json, "utf8")) as {
        columns: ReadonlyArray<string>
        runs: ReadonlyArray<Record<string, unknown>>
      }
      assert.strictEqual(summary.runs.length, 4)
      for (const column of ["cell", "seed", "folder", "config.training.l1Penalty", "config.training.hiddenLayers", "result.testError", "result.sparsity.mean", "result.learningRate"]) {
        assert.include(summary.columns, column)
      }
      assert.deepStrictEqual(summary.runs[0]!["config.training.hiddenLayers"], [16, 16])

      const python = spawnSync("/usr/bin/python3", ["-c", reader, plan.folder], { encoding: "utf8", maxBuffer: 1 << 28 })
      assert.strictEqual(python.status, 0, `python3 with torch failed (install python3-torch): ${python.stderr}`)
      const read = JSON.parse(python.stdout) as {
        rows: ReadonlyArray<Record<string, string>>
        files: Record<string, {
          metadata: Record<string, string>
          tensors: Record<string, { shape: ReadonlyArray<number>; bits: ReadonlyArray<number> }>
          aligned: boolean
        }>
      }
      // The CSV, as Python's csv module reads it, holds the same runs and numbers as the JSON.
      assert.deepStrictEqual(read.rows.map((r) => [r["cell"], r["seed"], r["folder"]]), summary.runs.map((r) => [r["cell"], String(r["seed"]), r["folder"]]))
      assert.deepStrictEqual(read.rows.map((r) => Number(r["result.testError"])), summary.runs.map((r) => r["result.testError"]))
      assert.strictEqual(read.rows[0]!["config.training.hiddenLayers"], "[16,16]")

      const runs = plan.runs.map((run) => ({
        cell: run.cell,
        folder: run.folder,
        record: JSON.parse(readFileSync(join(run.folder, "results.json"), "utf8"))
      }))
      for (const best of bestRuns(runs)) {
        const file = read.files[`${best.cell}.safetensors`]!
        assert.isTrue(file.aligned)
        assert.strictEqual(file.metadata["seed"], String(best.record.config.seed))
        assert.strictEqual(file.metadata["epoch"], String(best.record.result.bestEpoch))
        const others = runs.filter((r) => r.cell === best.cell)
        assert.strictEqual(best.record.result.validationError, Math.min(...others.map((r) => r.record.result.validationError)))
        // The best epoch's weights as the checkpoint holds them.
        const lr = `lr-${best.record.result.learningRate}`
        const epochFolder = readdirSync(join(best.folder, "checkpoint", lr)).find((name) => name.startsWith("epoch-"))!
        const weights = yield* readWeights(join(best.folder, "checkpoint", lr, epochFolder, "best"))
        assert.deepStrictEqual(Object.keys(file.tensors), weights.layers.flatMap((_, i) => [`layer${i}.weight`, `layer${i}.bias`]))
        weights.layers.forEach((layer, i) => {
          assert.deepStrictEqual(file.tensors[`layer${i}.weight`]!.shape, [layer.fanIn, layer.fanOut])
          assert.deepStrictEqual(file.tensors[`layer${i}.bias`]!.shape, [layer.fanOut])
          assert.deepStrictEqual(file.tensors[`layer${i}.weight`]!.bits, bits(layer.weights), `layer${i}.weight`)
          assert.deepStrictEqual(file.tensors[`layer${i}.bias`]!.bits, bits(layer.bias), `layer${i}.bias`)
        })
      }
    }).pipe(Effect.provide(NodeServices.layer)), 300_000)
})
