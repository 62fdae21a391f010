import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

export default defineConfig({
  resolve: {
    alias: { "lvlup/sdk": fileURLToPath(new URL("./runtime/sdk/index.ts", import.meta.url)) },
  },
  test: {
    include: [
      "runtime/test/**/*.test.ts",
      "plugins/*/test/**/*.test.ts",
      "examples/*/test/**/*.test.ts",
      "test/**/*.test.ts",
      "gateway/test/**/*.test.ts",
      "scripts/test/**/*.test.ts",
    ],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
