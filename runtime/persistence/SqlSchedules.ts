// The scheduler's statements on the `schedules` table (and its one look into the journal), the same on
// PostgreSQL and embedded PGlite. Claiming is `FOR UPDATE SKIP LOCKED`, so that schedulers sharing a
// database each take different due rows and never wait on one another.
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/** A due schedule, locked by the claiming transaction. */
export interface DueRow {
  readonly plugin: string
  readonly name: string
  readonly spec: string
  readonly next_run_at: Date
}

/** A schedule as a plugin declares it at this start, with the first run it would have if new or changed. */
export interface DeclaredRow {
  readonly name: string
  readonly spec: string
  readonly firstRunAt: Date
}

/**
 * Makes the table match the plugin's declarations: a new schedule is inserted with its first run, one
 * whose spec changed gets the new spec and first run, an unchanged one keeps its `next_run_at` (a
 * restart neither loses nor doubles a run), and one no longer declared is deleted. Returns the names
 * inserted or changed.
 */
export const declare = (plugin: string, rows: ReadonlyArray<DeclaredRow>) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const changed: string[] = []
    for (const row of rows) {
      const written = yield* sql<{ readonly name: string }>`
        INSERT INTO schedules (plugin, name, spec, next_run_at)
        VALUES (${plugin}, ${row.name}, ${row.spec}, ${row.firstRunAt})
        ON CONFLICT (plugin, name) DO UPDATE
          SET spec = EXCLUDED.spec, next_run_at = EXCLUDED.next_run_at, updated_at = now()
          WHERE schedules.spec <> EXCLUDED.spec
        RETURNING name`
      changed.push(...written.map((w) => w.name))
    }
    if (rows.length === 0) yield* sql`DELETE FROM schedules WHERE plugin = ${plugin}`
    else
      yield* sql`DELETE FROM schedules WHERE plugin = ${plugin}
        AND name NOT IN ${sql.in(rows.map((row) => row.name))}`
    return changed
  })

/**
 * Locks and returns the schedules due at `now` among `declared` (as this process declares them: a row
 * with another spec is not locked, so that it stays free for the process that declares it so), skipping
 * rows another scheduler holds.
 */
export const claimDue = (declared: ReadonlyArray<Pick<DueRow, "plugin" | "name" | "spec">>, now: Date) =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => sql<DueRow>`
      SELECT plugin, name, spec, next_run_at FROM schedules
      WHERE plugin IN ${sql.in([...new Set(declared.map((d) => d.plugin))])} AND next_run_at <= ${now}
        AND plugin || '/' || name || '|' || spec IN ${sql.in(declared.map((d) => `${d.plugin}/${d.name}|${d.spec}`))}
      ORDER BY next_run_at, plugin, name
      FOR UPDATE SKIP LOCKED`,
  )

/** The journal row of a run already sent (its key is the message's correlation id), if any. */
export const journaledRun = (to: string, from: string, key: string) =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => sql<{ readonly id: string; readonly sent_at: string | number }>`
      SELECT id, sent_at FROM journal
      WHERE correlation_id = ${key} AND to_address = ${to} AND from_address = ${from}
      LIMIT 1`,
  ).pipe(Effect.map(([row]) => (row === undefined ? null : { id: row.id, sentAt: Number(row.sent_at) })))

/** How a claimed run ended: sent (with its journal id), not sendable (why), or let go by the policy. */
export type Settlement =
  | { readonly _tag: "Sent"; readonly messageId: string; readonly at: Date }
  | { readonly _tag: "Refused"; readonly reason: string }
  | { readonly _tag: "Skipped" }

/**
 * Moves a claimed schedule on to `next` and records how its run ended. Guarded by the `next_run_at` it
 * was claimed at, so a row changed meanwhile (re-declared) is left as it is. True if the row moved.
 */
export const settle = (
  row: Pick<DueRow, "plugin" | "name" | "next_run_at">,
  next: Date,
  settlement: Settlement,
) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const where = sql`plugin = ${row.plugin} AND name = ${row.name} AND next_run_at = ${row.next_run_at}`
    const moved =
      settlement._tag === "Sent"
        ? yield* sql<{ readonly name: string }>`UPDATE schedules SET next_run_at = ${next},
            last_run_at = ${settlement.at}, last_message_id = ${settlement.messageId}, last_error = NULL,
            updated_at = now()
            WHERE ${where} RETURNING name`
        : settlement._tag === "Refused"
          ? yield* sql<{ readonly name: string }>`UPDATE schedules SET next_run_at = ${next},
            last_error = ${settlement.reason}, updated_at = now()
            WHERE ${where} RETURNING name`
          : yield* sql<{ readonly name: string }>`UPDATE schedules SET next_run_at = ${next},
            updated_at = now()
            WHERE ${where} RETURNING name`
    return moved.length > 0
  })

/** The plugins' schedules with their next runs (when the scheduler should look again). */
export const nextRuns = (plugins: ReadonlyArray<string>) =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => sql<DueRow>`
      SELECT plugin, name, spec, next_run_at FROM schedules WHERE plugin IN ${sql.in(plugins)}`,
  )
