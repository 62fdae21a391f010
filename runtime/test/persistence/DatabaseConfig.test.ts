// The database settings: the URL forms accepted (the seed's postgresql+asyncpg:// included), targets
// described without credentials, defaults, and a wrong value stopping the start with the variable's name.
import { inspect } from "node:util"
import { describe, expect, it } from "@effect/vitest"
import type { ConfigError } from "effect"
import { ConfigProvider, Effect, Either, Option, Redacted } from "effect"
import {
  DatabaseConfig,
  databaseTarget,
  hostPort,
  normaliseDatabaseUrl,
  redactDatabaseUrl,
} from "../../persistence/DatabaseConfig.js"

const read = (env: Record<string, string>) =>
  Effect.withConfigProvider(DatabaseConfig, ConfigProvider.fromMap(new Map(Object.entries(env))))

/** What the start-up error shows (ConfigError's toString names the variable). */
const shown = (error: ConfigError.ConfigError): string =>
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- see above
  String(error)

describe("normaliseDatabaseUrl", () => {
  it.each([
    ["postgres://u:p@db:5432/app", "postgres://u:p@db:5432/app"],
    ["postgresql://u:p@db/app", "postgresql://u:p@db/app"],
    ["postgresql+asyncpg://u:p@db:5432/app", "postgresql://u:p@db:5432/app"],
    ["postgresql+psycopg2://u@db/app", "postgresql://u@db/app"],
    ["  POSTGRES://u@db/app  ", "postgres://u@db/app"],
    ["postgresql+asyncpg://u:p@db/app?ssl=require", "postgresql://u:p@db/app?sslmode=require"],
    ["postgres://u@db/app?ssl=true&application_name=x", "postgres://u@db/app?ssl=true&application_name=x"],
    [
      "postgres://u@db/app?sslmode=verify-full&ssl=require",
      "postgres://u@db/app?sslmode=verify-full&ssl=require",
    ],
  ])("accepts %s", (input, expected) => {
    expect(normaliseDatabaseUrl(input)).toEqual(Either.right(expected))
  })

  it.each(["mysql://u:secret@db/app", "db:5432/app", "", "sqlite+aiosqlite:///x.db"])(
    "refuses %j",
    (input) => {
      const result = normaliseDatabaseUrl(input)
      expect(Either.isLeft(result)).toBe(true)
      expect(Either.getLeft(result).pipe(Option.getOrThrow)).not.toContain("secret")
    },
  )
})

describe("database targets", () => {
  it("parses host, port, database and user, with libpq's defaults", () => {
    expect(databaseTarget("postgres://alice:pw@db.internal:6543/lvlup")).toEqual({
      host: "db.internal",
      port: 6543,
      database: "lvlup",
      user: "alice",
    })
    expect(databaseTarget("postgresql://db")).toEqual({
      host: "db",
      port: 5432,
      database: "postgres",
      user: "postgres",
    })
    expect(hostPort(databaseTarget("postgres://[::1]:5433/x"))).toBe("[::1]:5433")
  })

  it("redacts the password and secret-looking parameters", () => {
    const shown = redactDatabaseUrl(
      "postgres://alice:hunter2@db:5432/lvlup?sslpassword=hunter3&application_name=a",
    )
    expect(shown).not.toContain("hunter")
    expect(shown).toContain("alice:***@db:5432/lvlup")
  })
})

describe("DatabaseConfig", () => {
  it.effect("defaults to the embedded database in ./.lvlup with fsync on", () =>
    Effect.gen(function* () {
      const config = yield* read({})
      expect(config).toEqual({
        url: Option.none(),
        poolSize: 20,
        maxOverflow: 30,
        dataDir: "./.lvlup",
        connectTimeoutMs: 5000,
        embeddedFsync: true,
      })
      expect((yield* read({ DATABASE_URL: "  " })).url).toEqual(Option.none())
    }),
  )

  it.effect("reads the seed's URL form as a redacted, normalised URL", () =>
    Effect.gen(function* () {
      const config = yield* read({
        DATABASE_URL: "postgresql+asyncpg://lvlup:pw@db:5432/lvlup",
        DATABASE_POOL_SIZE: "5",
        DATABASE_MAX_OVERFLOW: "0",
        LVLUP_DB_CONNECT_TIMEOUT_MS: "1500",
      })
      const url = Option.getOrThrow(config.url)
      expect(inspect(url)).not.toContain("pw")
      expect(Redacted.value(url)).toBe("postgresql://lvlup:pw@db:5432/lvlup")
      expect(config).toMatchObject({ poolSize: 5, maxOverflow: 0, connectTimeoutMs: 1500 })
    }),
  )

  it.effect("stops on a wrong value, naming the variable and never the password", () =>
    Effect.gen(function* () {
      const badUrl = yield* Effect.flip(read({ DATABASE_URL: "mysql://root:hunter2@db/app" }))
      expect(shown(badUrl)).toContain("DATABASE_URL")
      expect(shown(badUrl)).not.toContain("hunter2")
      const badPool = yield* Effect.flip(read({ DATABASE_POOL_SIZE: "0" }))
      expect(shown(badPool)).toContain("DATABASE_POOL_SIZE")
      const badOverflow = yield* Effect.flip(read({ DATABASE_MAX_OVERFLOW: "-1" }))
      expect(shown(badOverflow)).toContain("DATABASE_MAX_OVERFLOW")
    }),
  )
})
