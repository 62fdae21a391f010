// The runtime's own settings, read from the environment through Effect Config: every key has a default
// and a description, and a wrong value stops the start with the variable's name.
import { Config, Effect, Either } from "effect"

const positiveInt = (name: string, fallback: number, description: string) =>
  Config.integer(name).pipe(
    Config.validate({ message: "must be a positive integer", validation: (n) => n > 0 }),
    Config.withDefault(fallback),
    Config.withDescription(description),
  )

export const RuntimeConfig = Config.all({
  pluginPaths: Config.string("LVLUP_PLUGIN_PATHS").pipe(
    Config.withDefault(""),
    Config.withDescription("extra plugin folders (or folders of plugins), separated by ':'"),
  ),
  mailboxCapacity: positiveInt("LVLUP_MAILBOX_CAPACITY", 1000, "default bounded mailbox size per actor"),
  askTimeoutMs: positiveInt("LVLUP_ASK_TIMEOUT_MS", 5000, "default ask timeout"),
  shutdownTimeoutMs: positiveInt(
    "LVLUP_SHUTDOWN_TIMEOUT_MS",
    25_000,
    "how long SIGTERM waits for mailboxes to drain",
  ),
  journalRetentionDays: positiveInt(
    "LVLUP_JOURNAL_RETENTION_DAYS",
    30,
    "processed journal entries older than this are pruned (the seed's LOG_RETENTION is 30 days)",
  ),
  journalKeepPerActor: positiveInt(
    "LVLUP_JOURNAL_KEEP_PER_ACTOR",
    10_000,
    "at most this many processed journal entries are kept per actor",
  ),
  pruneIntervalSeconds: positiveInt("LVLUP_PRUNE_INTERVAL", 3600, "seconds between two journal prunings"),
  pluginLoadTimeoutMs: positiveInt(
    "LVLUP_PLUGIN_LOAD_TIMEOUT_MS",
    10_000,
    "how long one plugin may take to load",
  ),
  logLevel: Config.string("LOG_LEVEL").pipe(
    Config.map((level) => level.toLowerCase()),
    Config.validate({
      message: "must be one of debug, info, warn, error",
      validation: (level): level is "debug" | "info" | "warn" | "error" =>
        ["debug", "info", "warn", "error"].includes(level),
    }),
    Config.withDefault("info" as const),
    Config.withDescription("least severe log level written"),
  ),
  logFormat: Config.literal(
    "json",
    "pretty",
  )("LOG_FORMAT").pipe(
    Config.withDefault("json" as const),
    Config.withDescription("log lines as JSON (the seed's default) or human-readable"),
  ),
})

export type RuntimeConfig = Config.Config.Success<typeof RuntimeConfig>

/** Reads the config from the environment; a wrong value is an error naming the variable. */
export const readRuntimeConfig = (): Either.Either<RuntimeConfig, string> =>
  Effect.runSync(Effect.either(RuntimeConfig)).pipe(
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- ConfigError's toString names the variable
    Either.mapLeft((error) => String(error)),
  )
