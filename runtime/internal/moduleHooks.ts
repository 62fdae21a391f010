// Installs the module hook that resolves "lvlup/sdk" for plugins outside the project tree. Called once by
// the process entry point (tests resolve the SDK through vitest's alias instead).
import { register } from "node:module"

let installed = false

export const installModuleHooks = (): void => {
  if (installed) return
  installed = true
  register(new URL("./sdkResolveHook.mjs", import.meta.url), {
    data: {
      sdkUrl: new URL("../sdk/index.ts", import.meta.url).href,
      projectUrl: new URL("../../package.json", import.meta.url).href,
    },
  })
}
