/**
 * The paper's rescaled softplus on NORB: (1/a) softplus(a x) for a = 1, 1.3,
 * 2, 3, 6, and the rectifier as a = infinity.
 */
import type { Preset, SweepCell } from "../Preset.ts"
import { paperError } from "./References.ts"

const where = "Section 4.1, rescaled softplus on NORB"
const rows: ReadonlyArray<readonly [number, number]> = [[1, 0.1768], [1.3, 0.1753], [2, 0.169], [3, 0.1666], [6, 0.1654]]

export const norbSoftplusRescaled: Preset = {
  name: "norb-softplus-rescaled",
  description: "Rescaled softplus (1/a) softplus(a x) on NORB for a = 1, 1.3, 2, 3, 6 and the rectifier (a = infinity).",
  overrides: { dataset: { name: "norb" }, training: { hiddenLayers: [4000, 2000] } },
  references: [],
  sweep: {
    cells: [
      ...rows.map(([a, error]): SweepCell => ({
        label: `a = ${a}`,
        overrides: { training: { activation: { name: "softplus-rescaled", a } } },
        references: [paperError(error, where)]
      })),
      { label: "a = infinity (rectifier)", overrides: { training: { activation: "rectifier" } }, references: [paperError(0.164, where)] }
    ],
    seeds: [1, 2, 3],
    curve: {
      title: "softplus scale a",
      x: (config) => typeof config.training.activation === "object" && config.training.activation.name === "softplus-rescaled"
        ? config.training.activation.a ?? 1
        : Number.NaN,
      series: () => "rescaled softplus",
      logX: true
    }
  }
}
