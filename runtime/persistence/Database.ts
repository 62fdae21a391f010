// The database every durable part of the runtime uses, as @effect/sql's `SqlClient` (through
// @effect/sql-pg): PostgreSQL at DATABASE_URL, pooled; or, without it, an embedded PGlite in
// LVLUP_DATA_DIR served on a loopback socket, so both modes run the same `pg` code. `Database` says
// which one runs, where, and what a commit's acknowledgement guarantees.
import { existsSync, mkdirSync } from "node:fs"
import { join, resolve } from "node:path"
import * as Reactivity from "@effect/experimental/Reactivity"
import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { PGlite } from "@electric-sql/pglite"
import { PGLiteSocketServer } from "@electric-sql/pglite-socket"
import { Clock, Context, Duration, Effect, Layer, Option, Redacted } from "effect"
import type { ConfigError, Scope } from "effect"
import { describeCause } from "../RuntimeError.js"
import { DatabaseConfig, databaseTarget, hostPort, redactDatabaseUrl } from "./DatabaseConfig.js"
import type { DataDirLocked } from "./DatabaseError.js"
import { DatabaseUnavailable, classifyConnectError, rootMessage } from "./DatabaseError.js"
import { lockDataDir } from "./internal/dataDirLock.js"
import { DurableNodeFS, durableStartParams, fsyncTree } from "./internal/durableNodeFs.js"
import { installSessionQueue } from "./internal/sessionQueue.js"

/**
 * Connections from the pool to the embedded server. PGlite runs one statement at a time in one session
 * that all connections share, so more connections add no throughput; a few let queries queue at the
 * server, in order, while another connection's transaction runs. The server accepts one more, for the
 * connection PgClient's `listen` opens outside the pool.
 *
 * What differs from PostgreSQL in embedded mode (the session queue in internal/ keeps requests apart):
 * - a transaction excludes every other statement until it ends: code inside a transaction must not wait
 *   for a statement run outside it (it would wait forever);
 * - session state is shared: `SET`, temporary tables and session advisory locks are seen by all
 *   connections (use `SET LOCAL` and transaction-scoped locks);
 * - `listen` receives nothing: a notification reaches whichever connection speaks next.
 */
export const EMBEDDED_POOL_SIZE = 4

export type DatabaseMode = "postgres" | "embedded"

export interface DatabaseApi {
  readonly mode: DatabaseMode
  /** Where the data lives, without credentials (a redacted URL, or the embedded data folder). */
  readonly target: string
  /** What an acknowledged commit survives, from the settings the database actually runs with. */
  readonly durability: string
}

export class Database extends Context.Tag("lvlup/runtime/Database")<Database, DatabaseApi>() {}

/** Server settings that decide what a commit survives. */
export interface DurabilitySettings {
  readonly fsync: string
  readonly synchronousCommit: string
}

/** The honest sentence for `DatabaseApi.durability`. */
export const describeDurability = (mode: DatabaseMode, settings: DurabilitySettings): string => {
  const where = mode === "postgres" ? "the PostgreSQL server's disk" : "disk"
  if (settings.fsync !== "on") {
    return mode === "embedded"
      ? "embedded PGlite without fsync (LVLUP_DB_EMBEDDED_FSYNC=false): a commit is acknowledged once its " +
          "WAL is in the OS page cache. A crash of this process loses nothing; a power loss or OS crash " +
          "can lose recent commits or corrupt the database."
      : "the PostgreSQL server runs with fsync=off: a server crash loses nothing, but a power loss or " +
          "OS crash on the server can lose commits or corrupt the database."
  }
  if (settings.synchronousCommit === "off") {
    return (
      `synchronous_commit=off: a commit is acknowledged before its WAL reaches ${where}; a crash can ` +
      "lose the last moments of acknowledged commits, without corrupting the database."
    )
  }
  return (
    `a commit is acknowledged only after its WAL is flushed to ${where} (fsync=on, ` +
    `synchronous_commit=${settings.synchronousCommit}): neither a process crash nor a power loss ` +
    "loses an acknowledged commit, provided the disk honours flushes."
  )
}

const readDurability = (client: SqlClient.SqlClient) =>
  client<{ readonly fsync: string; readonly synchronous_commit: string }>`
    SELECT current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS synchronous_commit
  `.pipe(
    Effect.map(([row]) => ({
      fsync: row?.fsync ?? "unknown",
      synchronousCommit: row?.synchronous_commit ?? "",
    })),
  )

type Provided = Database | PgClient.PgClient | SqlClient.SqlClient

const provide = (client: PgClient.PgClient, database: DatabaseApi): Context.Context<Provided> =>
  Context.make(PgClient.PgClient, client).pipe(
    Context.add(SqlClient.SqlClient, client),
    Context.add(Database, Database.of(database)),
  )

const postgres = (config: DatabaseConfig, url: Redacted.Redacted) =>
  Effect.gen(function* () {
    const address = hostPort(databaseTarget(Redacted.value(url)))
    const started = yield* Clock.currentTimeMillis
    const unavailable = (error: unknown) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.fail(classifyConnectError(address, config.connectTimeoutMs, error, now - started)),
      )
    const client = yield* PgClient.make({
      url,
      minConnections: config.poolSize,
      maxConnections: config.poolSize + config.maxOverflow,
      connectTimeout: Duration.millis(config.connectTimeoutMs),
      applicationName: "lvlup",
    }).pipe(Effect.catchAll(unavailable))
    const settings = yield* readDurability(client).pipe(Effect.catchAll(unavailable))
    return provide(client, {
      mode: "postgres",
      target: redactDatabaseUrl(Redacted.value(url)),
      durability: describeDurability("postgres", settings),
    })
  })

const embeddedFailure = (dataDir: string, hint: string) => (cause: unknown) =>
  new DatabaseUnavailable({ mode: "embedded", address: dataDir, reason: rootMessage(cause), hint })

const openPGlite = (dataDir: string, fsync: boolean) =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const fresh = !existsSync(join(dataDir, "PG_VERSION"))
        const db = await PGlite.create(
          fsync
            ? { dataDir, fs: new DurableNodeFS(dataDir), startParams: durableStartParams() }
            : { dataDir },
        )
        // initdb wrote the new cluster without flushing it; flush it once so a power loss cannot take it.
        if (fresh && fsync) fsyncTree(dataDir)
        return db
      },
      catch: embeddedFailure(
        dataDir,
        "the folder may hold a database from another PGlite version, or be damaged: move it aside to start afresh",
      ),
    }),
    (db) =>
      Effect.tryPromise(() => db.close()).pipe(
        Effect.catchAll((error) => Effect.logWarning(`closing the embedded database: ${rootMessage(error)}`)),
      ),
  )

const serve = (db: PGlite, dataDir: string) =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const server = new PGLiteSocketServer({
          db,
          host: "127.0.0.1",
          port: 0,
          maxConnections: EMBEDDED_POOL_SIZE + 1,
        })
        installSessionQueue(server, db)
        await server.start()
        return server
      },
      catch: embeddedFailure(
        dataDir,
        "could not listen on 127.0.0.1; check that loopback networking is allowed",
      ),
    }),
    (server) => Effect.promise(() => server.stop()),
  )

const embedded = (config: DatabaseConfig) =>
  Effect.gen(function* () {
    const root = resolve(config.dataDir)
    const dataDir = join(root, "pgdata")
    yield* Effect.try({
      try: () => mkdirSync(root, { recursive: true }),
      catch: (cause) =>
        new DatabaseUnavailable({
          mode: "embedded",
          address: dataDir,
          reason: describeCause(cause),
          hint: "check that LVLUP_DATA_DIR names a folder this process may create and write",
        }),
    })
    yield* lockDataDir(dataDir, join(root, "pgdata.lock"))
    const db = yield* openPGlite(dataDir, config.embeddedFsync)
    const server = yield* serve(db, dataDir)
    const [host, port] = server.getServerConn().split(":")
    const client = yield* PgClient.make({
      host: host ?? "127.0.0.1",
      port: Number(port),
      username: "postgres",
      database: "postgres",
      maxConnections: EMBEDDED_POOL_SIZE,
      // Loopback connections to an in-process server: keep them rather than reconnect after idling.
      idleTimeout: Duration.zero,
      connectTimeout: Duration.millis(config.connectTimeoutMs),
      applicationName: "lvlup",
    }).pipe(
      Effect.mapError(
        embeddedFailure(dataDir, "the embedded server did not answer its own pool; please report this"),
      ),
    )
    const settings = yield* readDurability(client).pipe(
      Effect.mapError(embeddedFailure(dataDir, "the embedded database did not answer a first query")),
    )
    return provide(client, {
      mode: "embedded",
      target:
        `embedded PGlite in ${dataDir}, served on ${server.getServerConn()} ` +
        `(${EMBEDDED_POOL_SIZE} connections sharing one session; transactions run one at a time)`,
      durability: describeDurability("embedded", settings),
    })
  })

/** Opens the database for the scope's lifetime: closing the scope closes the pool, then server and PGlite. */
export const make = (
  config: DatabaseConfig,
): Effect.Effect<
  Context.Context<Provided>,
  DatabaseUnavailable | DataDirLocked,
  Scope.Scope | Reactivity.Reactivity
> =>
  Option.match(config.url, {
    onNone: () => embedded(config),
    onSome: (url) => postgres(config, url),
  })

export const layer = (config: DatabaseConfig): Layer.Layer<Provided, DatabaseUnavailable | DataDirLocked> =>
  Layer.scopedContext(make(config)).pipe(Layer.provide(Reactivity.layer))

export const layerConfig: Layer.Layer<
  Provided,
  DatabaseUnavailable | DataDirLocked | ConfigError.ConfigError
> = Layer.unwrapEffect(Effect.map(DatabaseConfig, layer))
