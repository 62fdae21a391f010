// Backup and restore of everything the system keeps in its database (journal, snapshots, schedules,
// migrations, and every plugin's tables), as JSON lines: the same file for PostgreSQL and embedded mode,
// so a backup of one restores into the other. The dump reads one consistent snapshot of the database.
import { createReadStream, createWriteStream } from "node:fs"
import { once } from "node:events"
import { createInterface } from "node:readline"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

const FORMAT = "lvlup-backup"
const VERSION = 1

export interface BackupSummary {
  readonly tables: Readonly<Record<string, number>>
}

export class BackupError extends Error {
  override readonly name = "BackupError"
}

const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`

const listTables = (sql: SqlClient.SqlClient) =>
  Effect.map(
    sql<{ readonly name: string }>`
      SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename`,
    (rows) => rows.map((row) => row.name),
  )

/** Writes every table's rows to `file`, from one repeatable-read snapshot of the database. */
export const backup = (file: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const out = createWriteStream(file)
    const write = (value: unknown) =>
      Effect.promise(async () => {
        if (!out.write(JSON.stringify(value) + "\n")) await once(out, "drain")
      })
    const counts: Record<string, number> = {}
    yield* sql.withTransaction(
      Effect.gen(function* () {
        yield* sql`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`
        const tables = yield* listTables(sql)
        yield* write({ format: FORMAT, version: VERSION, createdAt: new Date().toISOString(), tables })
        for (const table of tables) {
          const rows = yield* sql.unsafe<{ readonly row: unknown }>(
            `SELECT row_to_json(t) AS row FROM ${quote(table)} AS t`,
          )
          counts[table] = rows.length
          for (const { row } of rows) yield* write({ table, row })
        }
      }),
    )
    yield* Effect.promise(
      () =>
        new Promise<void>((resolve, reject) =>
          out.end((error?: Error | null) => (error ? reject(error) : resolve())),
        ),
    )
    return { tables: counts } satisfies BackupSummary
  })

/**
 * Loads a backup into a database whose schema is migrated and whose tables are empty (a new data dir or
 * database), in one transaction: it refuses to mix a backup into existing data.
 */
export const restore = (file: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity })
    const iterator = lines[Symbol.asyncIterator]()
    const next = () => Effect.promise(() => iterator.next())
    const first = yield* next()
    const header = first.done ? undefined : (JSON.parse(first.value) as { format?: string; version?: number })
    if (header?.format !== FORMAT || header.version !== VERSION)
      return yield* Effect.fail(new BackupError(`${file} is not a ${FORMAT} file of version ${VERSION}`))
    const counts: Record<string, number> = {}
    yield* sql.withTransaction(
      Effect.gen(function* () {
        const tables = new Set(yield* listTables(sql))
        for (const table of tables) {
          if (table === "lvlup_migrations") continue
          const [row] = yield* sql.unsafe<{ readonly n: number }>(
            `SELECT count(*)::int AS n FROM ${quote(table)}`,
          )
          if ((row?.n ?? 0) > 0)
            return yield* Effect.fail(
              new BackupError(`table ${table} is not empty: restore needs an empty database`),
            )
        }
        const batch = { table: "", rows: [] as unknown[] }
        const flush = Effect.suspend(() => {
          if (batch.rows.length === 0) return Effect.void
          const rows = batch.rows
          batch.rows = []
          return sql.unsafe(
            `INSERT INTO ${quote(batch.table)} SELECT * FROM json_populate_recordset(null::${quote(batch.table)}, $1::json)
             ON CONFLICT DO NOTHING`,
            [JSON.stringify(rows)],
          )
        })
        for (;;) {
          const line = yield* next()
          if (line.done) break
          if (line.value.trim() === "") continue
          const { table, row } = JSON.parse(line.value) as { table: string; row: unknown }
          if (!tables.has(table))
            return yield* Effect.fail(
              new BackupError(`the backup has table ${table}, which this schema lacks (load its plugin)`),
            )
          if (batch.table !== table) {
            yield* flush
            batch.table = table
          }
          batch.rows.push(row)
          counts[table] = (counts[table] ?? 0) + 1
          if (batch.rows.length >= 1000) yield* flush
        }
        yield* flush
      }),
    )
    return { tables: counts } satisfies BackupSummary
  })
