// Run the flagship pipeline from TypeScript, shortened for a quick look.
import { NodeServices } from "@effect/platform-node"
import { findPreset, resolveConfig, runPipeline } from "@rectifier/experiment"
import { Console, Effect } from "effect"

const program = Effect.gen(function*() {
  const preset = yield* findPreset("mnist-relu")
  const config = yield* resolveConfig(preset, {
    dataset: { trainSize: 1000, evaluationSize: 500 },
    training: { hiddenLayers: [100, 100], epochs: 2 },
    backend: "wasm"
  })
  const { folder, record } = yield* runPipeline(preset, config, { out: process.argv[2] ?? "runs" })
  yield* Console.log(`test error ${record.result.testError}, sparsity ${record.result.sparsity.mean}`)
  yield* Console.log(folder)
})

Effect.runPromise(program.pipe(Effect.provide(NodeServices.layer)))
