// Versioned schema migrations, recorded in `lvlup_migrations`, one namespace for the runtime and one per
// plugin. Each namespace's pending migrations run in order in one transaction under an advisory lock,
// so processes starting together apply each migration once, and a failure leaves nothing of its batch.
import type { SqlError } from "@effect/sql"
import { SqlClient } from "@effect/sql"
import { Cause, Effect, Layer } from "effect"
import { MigrationFailed, rootMessage } from "./DatabaseError.js"

/**
 * One step of a namespace's schema. `version` orders the steps (positive integers, unique within the
 * namespace; add new ones with higher versions, and never change one once released); `sql` is SQL text
 * (several statements allowed) or a program given the transaction's client. It runs inside its
 * namespace's transaction: no BEGIN/COMMIT of its own, nor what PostgreSQL refuses in a transaction
 * (CREATE INDEX CONCURRENTLY, VACUUM).
 */
export interface Migration {
  readonly version: number
  readonly name: string
  readonly sql: string | ((sql: SqlClient.SqlClient) => Effect.Effect<unknown, unknown>)
}

/** A namespace's migrations: `runtime`'s own, or a plugin's under the plugin's name. */
export interface MigrationSet {
  readonly namespace: string
  readonly migrations: ReadonlyArray<Migration>
}

export interface AppliedMigration {
  readonly namespace: string
  readonly version: number
  readonly name: string
}

export const RUNTIME_NAMESPACE = "runtime"

/** Held for the transaction by whoever migrates; "lvlup" in ASCII, so it is recognisable in pg_locks. */
export const MIGRATION_LOCK_KEY = 0x6c766c7570

const CREATE_TABLE = `
  CREATE TABLE IF NOT EXISTS lvlup_migrations (
    namespace text NOT NULL,
    version integer NOT NULL,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (namespace, version)
  )`

/**
 * The runtime's own schema, as SqlPersistence and the scheduler write it. `journal` holds every message
 * accepted for an address (before it is acknowledged) at its position `seq` in that address's stream,
 * and its outcome once processed; `snapshots` holds each actor's latest persisted snapshot and the
 * stream position it includes; `schedules` holds each declared schedule's next run. The composite types
 * shape the JSON that batches of rows arrive in (one statement per batch). Plugins name their tables
 * after themselves (`<plugin>_...`) to stay clear of these.
 */
export const runtimeMigrations: ReadonlyArray<Migration> = [
  {
    version: 1,
    name: "create journal",
    sql: `
      CREATE TABLE journal (
        id text PRIMARY KEY,
        to_address text NOT NULL,
        seq bigint NOT NULL,
        sent_at double precision NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        from_address text NOT NULL,
        type text NOT NULL,
        payload jsonb NULL,
        correlation_id text NOT NULL,
        causation_id text NULL,
        outcome text NULL,
        processed_at timestamptz NULL,
        UNIQUE (to_address, seq)
      );
      CREATE INDEX journal_correlation_id ON journal (correlation_id);
      CREATE TYPE journal_input AS (
        id text, to_address text, seq bigint, sent_at double precision, from_address text, type text,
        payload text, correlation_id text, causation_id text
      );
      CREATE TYPE journal_outcome AS (id text, outcome text);
    `,
  },
  {
    version: 2,
    name: "create snapshots",
    sql: `
      CREATE TABLE snapshots (
        address text PRIMARY KEY,
        plugin text NOT NULL,
        kind text NULL,
        parent text NULL,
        input jsonb NULL,
        seq bigint NOT NULL,
        state jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX snapshots_plugin ON snapshots (plugin);
      CREATE INDEX snapshots_parent ON snapshots (parent) WHERE parent IS NOT NULL;
      CREATE TYPE snapshot_input AS (
        address text, plugin text, kind text, parent text, input text, seq bigint, state text
      );
    `,
  },
  {
    // One row per declared schedule (runtime/Scheduler.ts): `spec` is its timing as text (a change
    // recomputes `next_run_at`); `last_run_at` and `last_message_id` name the last run sent (its journal
    // row), `last_error` why the last due run could not be sent.
    version: 3,
    name: "create schedules",
    sql: `
      CREATE TABLE schedules (
        plugin text NOT NULL,
        name text NOT NULL,
        spec text NOT NULL,
        next_run_at timestamptz NOT NULL,
        last_run_at timestamptz NULL,
        last_message_id text NULL,
        last_error text NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (plugin, name)
      );
      CREATE INDEX schedules_next_run_at ON schedules (next_run_at);
    `,
  },
]

const failed = (namespace: string, migration: Pick<Migration, "version" | "name">, reason: string) =>
  new MigrationFailed({ namespace, version: migration.version, name: migration.name, reason })

/** Refuses a malformed list before the database is touched; returns it sorted by version. */
const validate = (set: MigrationSet): Effect.Effect<ReadonlyArray<Migration>, MigrationFailed> => {
  const sorted = [...set.migrations].sort((a, b) => a.version - b.version)
  for (const [index, migration] of sorted.entries()) {
    if (!Number.isSafeInteger(migration.version) || migration.version <= 0) {
      return Effect.fail(failed(set.namespace, migration, "version must be a positive integer"))
    }
    const previous = sorted[index - 1]
    if (previous !== undefined && previous.version === migration.version) {
      return Effect.fail(
        failed(
          set.namespace,
          migration,
          `version ${migration.version} is also declared as "${previous.name}"`,
        ),
      )
    }
  }
  return Effect.succeed(sorted)
}

const apply = (sql: SqlClient.SqlClient, namespace: string, migration: Migration) =>
  Effect.suspend(() =>
    typeof migration.sql === "string" ? sql.unsafe(migration.sql) : migration.sql(sql),
  ).pipe(
    Effect.catchAllCause((cause) =>
      Cause.isInterruptedOnly(cause)
        ? Effect.interrupt
        : Effect.fail(failed(namespace, migration, rootMessage(Cause.squash(cause)))),
    ),
  )

const runSet = (sql: SqlClient.SqlClient, set: MigrationSet) =>
  Effect.gen(function* () {
    const declared = yield* validate(set)
    return yield* sql.withTransaction(
      Effect.gen(function* () {
        yield* sql.unsafe(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`)
        yield* sql.unsafe(CREATE_TABLE)
        const rows = yield* sql<{ readonly version: number; readonly name: string }>`
          SELECT version, name FROM lvlup_migrations WHERE namespace = ${set.namespace}`
        const recorded = new Map(rows.map((row) => [row.version, row.name]))
        const latest = Math.max(0, ...recorded.keys())
        const pending: Array<Migration> = []
        for (const migration of declared) {
          const name = recorded.get(migration.version)
          if (name === undefined) pending.push(migration)
          else if (name !== migration.name) {
            return yield* failed(
              set.namespace,
              migration,
              `version ${migration.version} was applied as "${name}": a released migration must not change`,
            )
          }
        }
        const late = pending.find((migration) => migration.version < latest)
        if (late !== undefined) {
          return yield* failed(
            set.namespace,
            late,
            `declared below version ${latest}, which is already applied: give new migrations higher versions`,
          )
        }
        const unknown = [...recorded.keys()].filter((version) => !declared.some((m) => m.version === version))
        if (unknown.length > 0) {
          yield* Effect.logWarning(
            `database has ${set.namespace} migrations ${unknown.join(", ")} that this code does not declare ` +
              "(was it downgraded?)",
          )
        }
        for (const migration of pending) {
          yield* apply(sql, set.namespace, migration)
          yield* sql`
            INSERT INTO lvlup_migrations (namespace, version, name)
            VALUES (${set.namespace}, ${migration.version}, ${migration.name})`
        }
        return pending.map(({ version, name }): AppliedMigration => ({
          namespace: set.namespace,
          version,
          name,
        }))
      }),
    )
  })

/**
 * Applies each set's pending migrations, set after set, and returns what it applied (nothing when all
 * are recorded). A set whose migration fails is rolled back whole; sets before it stay applied.
 */
export const run = (
  sets: ReadonlyArray<MigrationSet>,
): Effect.Effect<ReadonlyArray<AppliedMigration>, MigrationFailed | SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.forEach(sets, (set) => runSet(sql, set)).pipe(Effect.map((applied) => applied.flat())),
  )

/** What is recorded as applied, oldest first. */
export const applied = (
  namespace?: string,
): Effect.Effect<
  ReadonlyArray<AppliedMigration & { readonly appliedAt: Date }>,
  SqlError.SqlError,
  SqlClient.SqlClient
> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const exists = yield* sql<{ readonly present: boolean }>`
      SELECT to_regclass('lvlup_migrations') IS NOT NULL AS present`
    if (exists[0]?.present !== true) return []
    type Row = {
      readonly namespace: string
      readonly version: number
      readonly name: string
      readonly applied_at: Date
    }
    const rows =
      namespace === undefined
        ? yield* sql<Row>`SELECT namespace, version, name, applied_at FROM lvlup_migrations
            ORDER BY applied_at, namespace, version`
        : yield* sql<Row>`SELECT namespace, version, name, applied_at FROM lvlup_migrations
            WHERE namespace = ${namespace} ORDER BY applied_at, version`
    return rows.map((row) => ({
      namespace: row.namespace,
      version: row.version,
      name: row.name,
      appliedAt: row.applied_at,
    }))
  })

/** Runs the sets at start: the runtime's own first, then the given plugins' (in their order). */
export const layer = (
  plugins: ReadonlyArray<MigrationSet> = [],
): Layer.Layer<never, MigrationFailed | SqlError.SqlError, SqlClient.SqlClient> =>
  Layer.effectDiscard(run([{ namespace: RUNTIME_NAMESPACE, migrations: runtimeMigrations }, ...plugins]))
