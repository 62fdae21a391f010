// The database settings, read from the environment through Effect Config: PostgreSQL at DATABASE_URL
// (pooled), or, when it is unset, the embedded PGlite in LVLUP_DATA_DIR. Also the pure helpers that
// accept the seed's URL forms and describe a target without its credentials.
import { Config, ConfigError, Either, Option, Redacted } from "effect"

const LIBPQ_SSL_MODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]

/**
 * Accepts `postgres://` and `postgresql://` URLs, and SQLAlchemy's `postgresql+<driver>://` form used
 * by the seed (`postgresql+asyncpg://`): the `+driver` suffix is dropped, and asyncpg's `ssl=<mode>`
 * becomes libpq's `sslmode=<mode>`. Anything else is refused with a message that shows only the scheme.
 */
export const normaliseDatabaseUrl = (url: string): Either.Either<string, string> => {
  const trimmed = url.trim()
  const match = /^([A-Za-z][A-Za-z0-9.-]*)(\+[A-Za-z0-9_.-]+)?:\/\//.exec(trimmed)
  const scheme = match?.[1]?.toLowerCase()
  if (match === null || (scheme !== "postgres" && scheme !== "postgresql")) {
    const shown = match === null ? "no scheme" : `"${match[0]}"`
    return Either.left(`must be a postgres:// or postgresql:// URL (got ${shown})`)
  }
  const rest = trimmed.slice(match[0].length)
  const queryAt = rest.indexOf("?")
  if (queryAt === -1) return Either.right(`${scheme}://${rest}`)
  const params = new URLSearchParams(rest.slice(queryAt + 1))
  const ssl = params.get("ssl")
  if (ssl !== null && LIBPQ_SSL_MODES.includes(ssl) && !params.has("sslmode")) {
    params.delete("ssl")
    params.set("sslmode", ssl)
  }
  const query = params.toString()
  return Either.right(`${scheme}://${rest.slice(0, queryAt)}${query === "" ? "" : `?${query}`}`)
}

/** Where a PostgreSQL URL points, without credentials. */
export interface DatabaseTarget {
  readonly host: string
  readonly port: number
  readonly database: string
  readonly user: string
}

/** Parses host, port, database and user out of a (normalised) URL, with libpq's defaults. */
export const databaseTarget = (url: string): DatabaseTarget => {
  try {
    const parsed = new URL(url)
    const hostParam = parsed.searchParams.get("host")
    const portParam = parsed.searchParams.get("port")
    const user = decodeURIComponent(parsed.username) || "postgres"
    const port = Number(parsed.port || portParam || 5432)
    return {
      host: decodeURIComponent(parsed.hostname).replace(/^\[(.*)\]$/, "$1") || hostParam || "localhost",
      port: Number.isFinite(port) ? port : 5432,
      database: decodeURIComponent(parsed.pathname.replace(/^\//, "")) || user,
      user,
    }
  } catch {
    return { host: "unknown-host", port: 5432, database: "unknown", user: "unknown" }
  }
}

/** `host:port`, as error messages name the target (IPv6 hosts bracketed). */
export const hostPort = (target: DatabaseTarget): string =>
  `${target.host.includes(":") ? `[${target.host}]` : target.host}:${target.port}`

/** The URL with its password replaced by `***`, safe to log. */
export const redactDatabaseUrl = (url: string): string => {
  try {
    const parsed = new URL(url)
    if (parsed.password !== "") parsed.password = "***"
    for (const key of [...parsed.searchParams.keys()]) {
      if (/pass|secret|key/i.test(key)) parsed.searchParams.set(key, "***")
    }
    return parsed.toString()
  } catch {
    return "(unparseable database URL)"
  }
}

const positiveInt = (name: string, fallback: number, description: string) =>
  Config.integer(name).pipe(
    Config.validate({ message: "must be a positive integer", validation: (n) => n > 0 }),
    Config.withDefault(fallback),
    Config.withDescription(description),
  )

// Blank counts as unset (CI files often export DATABASE_URL=""). The check sits under `nested` so that
// its error names the variable.
const databaseUrl = Config.redacted().pipe(
  Config.mapOrFail((value) => {
    const url = Redacted.value(value).trim()
    if (url === "") return Either.right(Option.none<Redacted.Redacted>())
    return normaliseDatabaseUrl(url).pipe(
      Either.map((normalised) => Option.some(Redacted.make(normalised))),
      Either.mapLeft((message) => ConfigError.InvalidData([], message)),
    )
  }),
  Config.nested("DATABASE_URL"),
  Config.withDefault(Option.none<Redacted.Redacted>()),
  Config.withDescription(
    "PostgreSQL URL (postgres://, postgresql:// or postgresql+asyncpg://); unset or empty: embedded PGlite",
  ),
)

export const DatabaseConfig = Config.all({
  url: databaseUrl,
  poolSize: positiveInt("DATABASE_POOL_SIZE", 20, "PostgreSQL connections kept open in the pool"),
  maxOverflow: Config.integer("DATABASE_MAX_OVERFLOW").pipe(
    Config.validate({ message: "must be a non-negative integer", validation: (n) => n >= 0 }),
    Config.withDefault(30),
    Config.withDescription("extra PostgreSQL connections opened under load (pool max = size + overflow)"),
  ),
  dataDir: Config.string("LVLUP_DATA_DIR").pipe(
    Config.withDefault("./.lvlup"),
    Config.withDescription("folder of the embedded database (in <dir>/pgdata) and other local state"),
  ),
  connectTimeoutMs: positiveInt(
    "LVLUP_DB_CONNECT_TIMEOUT_MS",
    5000,
    "how long start-up waits for the database (and a query waits for a pooled connection)",
  ),
  embeddedFsync: Config.boolean("LVLUP_DB_EMBEDDED_FSYNC").pipe(
    Config.withDefault(true),
    Config.withDescription(
      "embedded mode: flush each commit to disk before acknowledging it (off: ~2x faster, a power " +
        "loss may lose recent commits or corrupt the database; a process crash loses nothing either way)",
    ),
  ),
})

export type DatabaseConfig = Config.Config.Success<typeof DatabaseConfig>
