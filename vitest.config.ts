// Root test configuration: one vitest run over every workspace package, so the
// suite has a single summary that .ci/run turns into its closing line.
import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    projects: ["packages/*", "apps/*", "test"],
    reporters: ["default", "json"],
    outputFile: { json: ".test-results/vitest.json" },
    testTimeout: 120_000,
    hookTimeout: 120_000
  }
})
