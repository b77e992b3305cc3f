/** Pieces of hand-made run records that the report tests share: what the machine and clock were. */
import type { RunRecord } from "@rectifier/record"

/** A wasm run on a 2-core machine, started and finished at fixed times, 2 s of wall time. */
export const fixedRun: Pick<RunRecord, "environment" | "startedAt" | "finishedAt" | "wallSeconds"> = {
  environment: {
    rectifier: "0.1.0",
    node: "v22",
    platform: "linux",
    cpu: "cpu",
    cpus: 2,
    libraries: {},
    backend: { name: "wasm", requested: "wasm", threads: 1, tfjsCore: "4.22.0", details: {}, skipped: [] }
  },
  startedAt: "2026-11-29T00:00:00.000Z",
  finishedAt: "2026-11-29T00:00:02.000Z",
  wallSeconds: 2
}
