// `npm run backup -- --out FILE` and `npm run restore -- --in FILE`: a consistent dump of everything the
// system keeps, and its restoration into an empty data dir or database (the one DATABASE_URL or
// LVLUP_DATA_DIR names). Stop the runtime first in embedded mode: its data folder is locked while it runs.
import { delimiter } from "node:path"
import { fileURLToPath } from "node:url"
import { SqlClient } from "@effect/sql"
import { Cause, Effect, Exit } from "effect"
import { migrationSetsOf } from "../runtime/Boot.js"
import { installModuleHooks } from "../runtime/internal/moduleHooks.js"
import { backup, restore } from "../runtime/persistence/Backup.js"
import { openStorage } from "../runtime/persistence/Storage.js"
import { loadPlugins } from "../runtime/PluginLoader.js"
import { rootMessage } from "../runtime/persistence/DatabaseError.js"

const usage = "usage: npm run backup -- --out FILE   |   npm run restore -- --in FILE"

const main = async (): Promise<number> => {
  const [command, flag, file] = process.argv.slice(2)
  const expected = command === "backup" ? "--out" : command === "restore" ? "--in" : undefined
  if (expected === undefined || flag !== expected || file === undefined) {
    process.stderr.write(usage + "\n")
    return 2
  }
  // The plugins' migrations create their tables, so that a restore has a place for their rows.
  installModuleHooks()
  const roots = [
    fileURLToPath(new URL("../plugins", import.meta.url)),
    ...(process.env.LVLUP_PLUGIN_PATHS ?? "").split(delimiter).filter((p) => p.trim() !== ""),
  ]
  const plugins = await loadPlugins(roots)
  const storage = await openStorage(migrationSetsOf(plugins.loaded))
  try {
    const program = command === "backup" ? backup(file) : restore(file)
    const exit = await Effect.runPromiseExit(Effect.provideService(program, SqlClient.SqlClient, storage.sql))
    if (Exit.isFailure(exit)) throw Cause.squash(exit.cause)
    const summary = exit.value
    process.stdout.write(`${command} ${file}: ${JSON.stringify(summary.tables)}\n`)
    return 0
  } finally {
    await storage.close()
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${rootMessage(error)}\n`)
    process.exit(1)
  },
)
