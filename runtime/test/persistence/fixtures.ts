// The two backends the persistence tests run against: an embedded PGlite in a fresh temporary folder,
// and, when DATABASE_URL is set, a freshly created PostgreSQL database on that server, dropped afterwards.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { SqlClient } from "@effect/sql"
import { Context, Effect, Either, Layer, Option, Redacted } from "effect"
import * as Database from "../../persistence/Database.js"
import type { DatabaseConfig } from "../../persistence/DatabaseConfig.js"
import { normaliseDatabaseUrl } from "../../persistence/DatabaseConfig.js"
import { openStorage } from "../../persistence/Storage.js"

export const postgresUrl: string | undefined = process.env.DATABASE_URL?.trim() || undefined

export const SKIP_POSTGRES_REASON =
  "DATABASE_URL is unset: skipping the PostgreSQL suite (CI sets DATABASE_URL=postgres://postgres@127.0.0.1:5432/test)"

export const testConfig = (overrides: Partial<DatabaseConfig> = {}): DatabaseConfig => ({
  url: Option.none(),
  poolSize: 4,
  maxOverflow: 2,
  dataDir: join(tmpdir(), "lvlup-unused"),
  connectTimeoutMs: 5000,
  embeddedFsync: true,
  ...overrides,
})

/** The config a backend's layer was built with, so a test can open a second layer on the same data. */
export class BackendConfig extends Context.Tag("test/persistence/BackendConfig")<
  BackendConfig,
  DatabaseConfig
>() {}

/** A temporary folder, removed when the scope closes. */
export const tempDir = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "lvlup-db-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true })),
)

export const embeddedBackend = (
  overrides: Partial<DatabaseConfig> = {},
): Layer.Layer<Database.Database | SqlClient.SqlClient | BackendConfig, unknown> =>
  Layer.unwrapScoped(
    Effect.map(tempDir, (dataDir) => {
      const config = testConfig({ dataDir, ...overrides })
      return Layer.merge(Database.layer(config), Layer.succeed(BackendConfig, config))
    }),
  )

/** `postgres://…/<name>`: the server's URL with another database name. */
const withDatabase = (url: string, name: string): string => {
  const parsed = new URL(url)
  parsed.pathname = `/${name}`
  return parsed.toString()
}

export const postgresBackend = (
  overrides: Partial<DatabaseConfig> = {},
): Layer.Layer<Database.Database | SqlClient.SqlClient | BackendConfig, unknown> =>
  Layer.unwrapScoped(
    Effect.gen(function* () {
      const serverUrl = Either.getOrThrowWith(
        normaliseDatabaseUrl(postgresUrl ?? ""),
        (message) => new Error(`DATABASE_URL ${message}`),
      )
      const name = `lvlup_test_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`
      const admin = Database.layer(testConfig({ url: Option.some(Redacted.make(serverUrl)), poolSize: 1 }))
      const onAdmin = (statement: string) =>
        Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(statement)).pipe(Effect.provide(admin))
      yield* Effect.acquireRelease(onAdmin(`CREATE DATABASE ${name}`), () =>
        onAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).pipe(Effect.orDie),
      )
      const config = testConfig({
        url: Option.some(Redacted.make(withDatabase(serverUrl, name))),
        ...overrides,
      })
      return Layer.merge(Database.layer(config), Layer.succeed(BackendConfig, config))
    }),
  )

export interface Backend {
  readonly name: "embedded" | "postgres"
  readonly skip: boolean
  readonly layer: () => Layer.Layer<Database.Database | SqlClient.SqlClient | BackendConfig, unknown>
}

export const backends: ReadonlyArray<Backend> = [
  { name: "embedded", skip: false, layer: () => embeddedBackend() },
  { name: "postgres", skip: postgresUrl === undefined, layer: () => postgresBackend() },
]

if (postgresUrl === undefined) console.warn(SKIP_POSTGRES_REASON)

/**
 * The two backends for tests written with promises: each `config()` is a fresh, empty database (a temp
 * data dir, or a new database on the DATABASE_URL server); `cleanup()` removes every one made.
 */
export const scratchBackends = (label: string) => {
  const cleanups: Array<() => Promise<unknown>> = []
  /** A URL of a new, empty database on the DATABASE_URL server. */
  const scratchUrl = async (): Promise<string> => {
    const server = Either.getOrThrow(normaliseDatabaseUrl(postgresUrl ?? ""))
    const name = `lvlup_test_${label}_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`
    const admin = await openStorage([], testConfig({ url: Option.some(Redacted.make(server)), poolSize: 1 }))
    await Effect.runPromise(admin.sql.unsafe(`CREATE DATABASE ${name}`))
    cleanups.push(async () => {
      await Effect.runPromise(admin.sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
      await admin.close()
    })
    return withDatabase(server, name)
  }
  const backends = [
    {
      name: "embedded" as const,
      skip: false,
      config: (): Promise<DatabaseConfig> => {
        const dataDir = mkdtempSync(join(tmpdir(), `lvlup-${label}-`))
        cleanups.push(() => Promise.resolve(rmSync(dataDir, { recursive: true, force: true })))
        return Promise.resolve(testConfig({ dataDir }))
      },
    },
    {
      name: "postgres" as const,
      skip: postgresUrl === undefined,
      config: async (): Promise<DatabaseConfig> =>
        testConfig({ url: Option.some(Redacted.make(await scratchUrl())) }),
    },
  ]
  const cleanup = async () => {
    for (const step of cleanups.splice(0).reverse()) await step()
  }
  return { backends, scratchUrl, cleanup }
}
