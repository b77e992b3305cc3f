// The datasets tests parse the real MNIST and Fashion-MNIST files; on a busy
// two-core machine one such test can exceed vitest's 5 s default.
import { defineProject } from "vitest/config"

export default defineProject({
  test: { name: "@rectifier/datasets", testTimeout: 60_000, hookTimeout: 60_000 }
})
