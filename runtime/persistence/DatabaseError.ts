// Every error the database layer reports, as tagged classes: a database that cannot be reached or
// opened, an embedded data folder held by another process, and a migration that failed. Each message
// names what it is about and what to check.
import { Schema } from "effect"
import { describeCause } from "../RuntimeError.js"

/** The database could not be reached or opened at start; the message says what to check. */
export class DatabaseUnavailable extends Schema.TaggedError<DatabaseUnavailable>()("DatabaseUnavailable", {
  mode: Schema.Literal("postgres", "embedded"),
  /** `host:port` (or the data folder, for embedded mode): never credentials. */
  address: Schema.String,
  reason: Schema.String,
  hint: Schema.String,
}) {
  override get message() {
    const what = this.mode === "postgres" ? "PostgreSQL at" : "the embedded database at"
    return `cannot open ${what} ${this.address}: ${this.reason} — ${this.hint}`
  }
}

/** Another live process uses the embedded data folder (PGlite has no lock of its own: two would corrupt it). */
export class DataDirLocked extends Schema.TaggedError<DataDirLocked>()("DataDirLocked", {
  dataDir: Schema.String,
  lockFile: Schema.String,
  holder: Schema.String,
}) {
  override get message() {
    return (
      `the embedded database at ${this.dataDir} is in use by ${this.holder}; stop that process or point ` +
      `LVLUP_DATA_DIR elsewhere (if it is gone, delete ${this.lockFile})`
    )
  }
}

/** A migration failed and was rolled back with the rest of its namespace's pending batch. */
export class MigrationFailed extends Schema.TaggedError<MigrationFailed>()("MigrationFailed", {
  namespace: Schema.String,
  version: Schema.Number,
  name: Schema.String,
  reason: Schema.String,
}) {
  override get message() {
    return `migration ${this.namespace}#${this.version} "${this.name}" failed: ${this.reason}`
  }
}

export type DatabaseError = DatabaseUnavailable | DataDirLocked | MigrationFailed

type Failure = {
  readonly _tag?: unknown
  readonly message?: unknown
  readonly code?: unknown
  readonly cause?: unknown
  readonly errors?: unknown
}

/** The driver's error under @effect/sql's `SqlError` wrappers (and the first of an AggregateError's). */
const driverError = (cause: unknown): unknown => {
  let current: unknown = cause
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const failure = current as Failure
    if (failure._tag === "SqlError" && failure.cause !== undefined) current = failure.cause
    else if (failure.message === "" && Array.isArray(failure.errors) && failure.errors.length > 0) {
      current = failure.errors[0]
    } else break
  }
  return current
}

/** The message of a foreign failure, from the driver rather than its wrappers. */
export const rootMessage = (cause: unknown): string => describeCause(driverError(cause))

const codeOf = (cause: unknown): string | undefined => {
  let current: unknown = driverError(cause)
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const code = (current as Failure).code
    if (typeof code === "string") return code
    current = driverError((current as Failure).cause)
  }
  return undefined
}

const hintFor = (code: string | undefined, message: string, timedOut: boolean, timeoutMs: number): string => {
  if (code === "ECONNREFUSED") {
    return "nothing listens there: is the PostgreSQL server running, and are DATABASE_URL's host and port right?"
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN")
    return "the host name does not resolve: check DATABASE_URL's host"
  if (code === "28P01" || code === "28000") {
    return "the server refused the credentials: check DATABASE_URL's user and password"
  }
  if (code === "3D000") return "the database does not exist: create it, or fix the name in DATABASE_URL"
  if (code === "53300") {
    return "the server has no free connection slots: lower DATABASE_POOL_SIZE/DATABASE_MAX_OVERFLOW or raise its max_connections"
  }
  if (timedOut) {
    return (
      `no answer within ${timeoutMs} ms (LVLUP_DB_CONNECT_TIMEOUT_MS): is the host reachable, is a ` +
      "firewall dropping packets, is it a PostgreSQL server?"
    )
  }
  if (code === "ECONNRESET" || /terminated unexpectedly/i.test(message)) {
    return "the other end closed the connection: is it a PostgreSQL server, and does it want TLS (?sslmode=require)?"
  }
  return "check that the server runs and that DATABASE_URL is right"
}

/**
 * Maps a failure to connect to PostgreSQL (a driver error, a timeout) to `DatabaseUnavailable` with a
 * hint chosen from the driver's error code. `elapsedMs` tells a timeout the driver reports as a mere
 * "connection terminated" from other failures.
 */
export const classifyConnectError = (
  address: string,
  timeoutMs: number,
  cause: unknown,
  elapsedMs = 0,
): DatabaseUnavailable => {
  const code = codeOf(cause)
  const message = rootMessage(cause)
  const timedOut =
    /timed? ?out|timeout/i.test(message) || code === "ETIMEDOUT" || elapsedMs >= timeoutMs * 0.9
  return new DatabaseUnavailable({
    mode: "postgres",
    address,
    reason: timedOut ? `${message} (after ${Math.max(elapsedMs, timeoutMs)} ms)` : message,
    hint: hintFor(code, message, timedOut, timeoutMs),
  })
}
