// The process entry point (`npm start`): read config, load the plugins in plugins/ (and
// LVLUP_PLUGIN_PATHS), host them, and stop gracefully on SIGTERM/SIGINT.
import { delimiter } from "node:path"
import { fileURLToPath } from "node:url"
import { boot } from "./Boot.js"
import { installModuleHooks } from "./internal/moduleHooks.js"
import { makeLog } from "./Log.js"
import { readRuntimeConfig } from "./RuntimeConfig.js"
import { RUNTIME_VERSION } from "./version.js"

const configResult = readRuntimeConfig()
if (configResult._tag === "Left") {
  process.stderr.write(`Lvl_UP: invalid configuration: ${configResult.left}\n`)
  process.exit(2)
}
const config = configResult.right
const log = makeLog({ level: config.logLevel, format: config.logFormat })

installModuleHooks()
const builtIn = fileURLToPath(new URL("../plugins", import.meta.url))
const extra = config.pluginPaths.split(delimiter).filter((path) => path.trim() !== "")

const { system, started, errors } = await boot({
  pluginRoots: [builtIn, ...extra],
  pluginLoadTimeoutMs: config.pluginLoadTimeoutMs,
  mailboxCapacity: config.mailboxCapacity,
  askTimeoutMs: config.askTimeoutMs,
  log,
})
for (const error of errors)
  log.error("plugin not loaded", {
    plugin: error.plugin,
    code: error.code,
    path: error.path,
    reason: error.reason,
  })
log.info("Lvl_UP runtime up", { version: RUNTIME_VERSION, plugins: started, failedPlugins: errors.length })

// Nothing else holds the event loop open until the gateway exists; this keeps the process serving.
const keepAlive = setInterval(() => {}, 1 << 30)

let stopping = false
const stop = (signal: string) => {
  if (stopping) return
  stopping = true
  log.info("shutting down", { signal })
  const hardStop = setTimeout(() => {
    log.error("shutdown did not finish in time; exiting")
    process.exit(1)
  }, config.shutdownTimeoutMs + 4000)
  hardStop.unref()
  void system.shutdown({ timeoutMs: config.shutdownTimeoutMs }).then((report) => {
    log.info("stopped", { drained: report.drained, undelivered: report.undelivered })
    clearInterval(keepAlive)
    process.exit(0)
  })
}
process.once("SIGTERM", () => stop("SIGTERM"))
process.once("SIGINT", () => stop("SIGINT"))
