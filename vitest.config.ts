// Root test configuration: one vitest run over every workspace package, so the
// suite has a single summary that scripts/test.ts turns into its closing line.
// Each package is a project that inherits the options below (`extends: true`).
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { defineConfig } from "vitest/config"

const workspaceFolders = ["packages", "apps"]
  .flatMap((parent) => readdirSync(parent).map((child) => join(parent, child)))
  .concat("test")
  .filter((folder) => existsSync(join(folder, "package.json")))

export default defineConfig({
  test: {
    projects: workspaceFolders.map((root) => ({
      extends: true,
      test: { root, name: JSON.parse(readFileSync(join(root, "package.json"), "utf8")).name as string }
    })),
    reporters: ["default", "json"],
    outputFile: { json: ".test-results/vitest.json" },
    testTimeout: 120_000,
    hookTimeout: 120_000
  }
})
