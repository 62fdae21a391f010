// The process entry point (`npm start`): read config, load the plugins in plugins/ (and
// LVLUP_PLUGIN_PATHS), open and migrate the database, host the plugins (recovering their state), fire
// their schedules, and stop gracefully on SIGTERM/SIGINT.
import { delimiter } from "node:path"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { fileURLToPath } from "node:url"
import { boot, migrationSetsOf } from "./Boot.js"
import { installModuleHooks } from "./internal/moduleHooks.js"
import { makeLog } from "./Log.js"
import { pruneJournal } from "./persistence/Retention.js"
import { openStorage } from "./persistence/Storage.js"
import { loadPlugins } from "./PluginLoader.js"
import { describeCause } from "./RuntimeError.js"
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
const plugins = await loadPlugins([builtIn, ...extra], { timeoutMs: config.pluginLoadTimeoutMs })
for (const error of plugins.errors)
  log.error("plugin not loaded", {
    plugin: error.plugin,
    code: error.code,
    path: error.path,
    reason: error.reason,
  })

const storage = await openStorage(migrationSetsOf(plugins.loaded)).catch((error: unknown) => {
  log.error("cannot open the database", { reason: describeCause(error) })
  process.exit(1)
})
log.info("database ready", {
  mode: storage.database.mode,
  target: storage.database.target,
  durability: storage.database.durability,
  migrated: storage.migrated.map((m) => `${m.namespace}/${m.version} ${m.name}`),
})

const { system, started, errors, scheduler } = await boot({
  plugins: { loaded: plugins.loaded, errors: [] },
  storage,
  mailboxCapacity: config.mailboxCapacity,
  askTimeoutMs: config.askTimeoutMs,
  log,
}).catch(async (error: unknown) => {
  // A schedule's interval variable with a wrong value (InvalidScheduleVariable names it), or the
  // database refusing the schedules' declarations: nothing is served.
  const invalid = (error as { _tag?: unknown })._tag === "InvalidScheduleVariable"
  log.error(invalid ? "invalid configuration" : "cannot start", { reason: describeCause(error) })
  await storage.close()
  process.exit(invalid ? 2 : 1)
})
for (const error of errors)
  log.error("plugin not started", {
    plugin: error.plugin,
    code: error.code,
    path: error.path,
    reason: error.reason,
  })
log.info("Lvl_UP runtime up", {
  version: RUNTIME_VERSION,
  plugins: started,
  failedPlugins: plugins.errors.length + errors.length,
})

// Journal retention runs on a timer (each process prunes; doing it twice is harmless). The timer also
// holds the event loop open until the gateway exists.
const retention = {
  maxAgeMs: config.journalRetentionDays * 86_400_000,
  keepPerAddress: config.journalKeepPerActor,
}
const prune = () =>
  void Effect.runPromise(
    pruneJournal(retention).pipe(Effect.provideService(SqlClient.SqlClient, storage.sql)),
  ).then(
    (deleted) => deleted > 0 && log.info("journal pruned", { deleted }),
    (error: unknown) => log.warn("journal pruning failed", { reason: describeCause(error) }),
  )
const pruning = setInterval(prune, Math.min(config.pruneIntervalSeconds * 1000, 2 ** 31 - 1))
prune()

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
  void (async () => {
    // No run is sent into a stopping system; one not sent yet stays due in the table for the next start.
    await scheduler?.stop()
    const report = await system.shutdown({ timeoutMs: config.shutdownTimeoutMs })
    await storage.close()
    log.info("stopped", { drained: report.drained, undelivered: report.undelivered })
    clearInterval(pruning)
    process.exit(0)
  })()
}
process.once("SIGTERM", () => stop("SIGTERM"))
process.once("SIGINT", () => stop("SIGINT"))
