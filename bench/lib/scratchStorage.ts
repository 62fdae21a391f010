// Throwaway storage for benches: with DATABASE_URL, a fresh `lvlup_bench_<random>` database created on
// that server (dropped by `close`); without it, an embedded PGlite in a fresh temporary LVLUP data dir
// (removed by `close`). Either way the runtime's own openStorage opens and migrates it, with the
// settings the environment gives (pool size, embedded fsync), as production would.
import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { SqlClient } from "@effect/sql"
import { Effect, ManagedRuntime, Option, Redacted } from "effect"
import * as Database from "../../runtime/persistence/Database.js"
import { DatabaseConfig } from "../../runtime/persistence/DatabaseConfig.js"
import { openStorage } from "../../runtime/persistence/Storage.js"
import type { Storage } from "../../runtime/persistence/Storage.js"

export interface ScratchStorage {
  readonly backend: Database.DatabaseMode
  readonly storage: Storage
  /** The scratch database's name, or the temporary data dir. */
  readonly where: string
  /** Closes the storage, then drops the scratch database (or removes the data dir). */
  readonly close: () => Promise<void>
}

/** Runs one statement on the server's own database (the one DATABASE_URL names), without migrating it. */
const onServer = async (config: DatabaseConfig, statement: string): Promise<void> => {
  const admin = ManagedRuntime.make(Database.layer({ ...config, poolSize: 1, maxOverflow: 0 }))
  try {
    await admin.runPromise(Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(statement)))
  } finally {
    await admin.dispose()
  }
}

const withDatabase = (url: string, name: string): string => {
  const parsed = new URL(url)
  parsed.pathname = `/${name}`
  return parsed.toString()
}

export const openScratchStorage = async (): Promise<ScratchStorage> => {
  const config = await Effect.runPromise(DatabaseConfig)
  if (Option.isSome(config.url)) {
    const serverUrl = Redacted.value(config.url.value)
    const name = `lvlup_bench_${randomBytes(6).toString("hex")}`
    await onServer(config, `CREATE DATABASE ${name}`)
    const drop = () => onServer(config, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    try {
      const storage = await openStorage([], {
        ...config,
        url: Option.some(Redacted.make(withDatabase(serverUrl, name))),
      })
      return {
        backend: "postgres",
        storage,
        where: name,
        close: async () => {
          try {
            await storage.close()
          } finally {
            await drop()
          }
        },
      }
    } catch (error) {
      await drop()
      throw error
    }
  }
  const dataDir = mkdtempSync(join(tmpdir(), "lvlup-bench-"))
  const remove = () => rmSync(dataDir, { recursive: true, force: true })
  try {
    const storage = await openStorage([], { ...config, dataDir })
    return {
      backend: "embedded",
      storage,
      where: dataDir,
      close: async () => {
        try {
          await storage.close()
        } finally {
          remove()
        }
      },
    }
  } catch (error) {
    remove()
    throw error
  }
}
