import { defineConfig } from "tsup"

// The publishable surface: the runtime API (for gateways and embedders) and the plugin SDK.
// Shared chunks keep one instance of each module when both entries are imported.
export default defineConfig({
  entry: { runtime: "runtime/index.ts", sdk: "runtime/sdk/index.ts" },
  format: ["esm"],
  target: "node20",
  dts: true,
  splitting: true,
  sourcemap: true,
  clean: true,
  external: ["uWebSockets.js"],
})
