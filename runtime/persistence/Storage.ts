// What the process keeps on disk, opened once at start: the database (PostgreSQL or embedded), its
// migrations (the runtime's, then each plugin's), and the actor system's Persistence on it. Closing it
// closes the pool and, in embedded mode, the database itself.
import { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql"
import { Cause, Effect, Exit, ManagedRuntime } from "effect"
import type { Layer } from "effect"
import type { ConfigError } from "effect"
import type { Persistence } from "../Persistence.js"
import { Database } from "./Database.js"
import * as DatabaseLayer from "./Database.js"
import type { DatabaseApi } from "./Database.js"
import type { DatabaseConfig } from "./DatabaseConfig.js"
import type { DataDirLocked, DatabaseUnavailable, MigrationFailed } from "./DatabaseError.js"
import * as Migrations from "./Migrations.js"
import type { AppliedMigration, MigrationSet } from "./Migrations.js"
import * as SqlPersistence from "./SqlPersistence.js"

export interface Storage {
  readonly database: DatabaseApi
  readonly persistence: Persistence
  readonly sql: SqlClient.SqlClient
  /** Migrations applied by this start (empty when the schema was current). */
  readonly migrated: ReadonlyArray<AppliedMigration>
  readonly close: () => Promise<void>
}

export type StorageError =
  DatabaseUnavailable | DataDirLocked | MigrationFailed | SqlError.SqlError | ConfigError.ConfigError

/**
 * Opens the database named by the environment (or `config`), migrates it and returns the system's
 * persistence. Fails with the typed error that says what to check; nothing is left open on failure.
 */
export const openStorage = async (
  pluginMigrations: ReadonlyArray<MigrationSet> = [],
  config?: DatabaseConfig,
): Promise<Storage> => {
  const layer = config === undefined ? DatabaseLayer.layerConfig : DatabaseLayer.layer(config)
  const runtime = ManagedRuntime.make(layer as Layer.Layer<Database | SqlClient.SqlClient, StorageError>)
  const exit = await runtime.runPromiseExit(
    Effect.gen(function* () {
      const database = yield* Database
      const sql = yield* SqlClient.SqlClient
      const migrated = yield* Migrations.run([
        { namespace: Migrations.RUNTIME_NAMESPACE, migrations: Migrations.runtimeMigrations },
        ...pluginMigrations,
      ])
      const storage: Storage = {
        database,
        sql,
        migrated,
        persistence: SqlPersistence.make(sql),
        close: () => runtime.dispose(),
      }
      return storage
    }),
  )
  if (Exit.isSuccess(exit)) return exit.value
  await runtime.dispose()
  throw Cause.squash(exit.cause)
}
