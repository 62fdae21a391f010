// The actor system's Persistence on SQL (PostgreSQL or embedded PGlite, the same statements): a batch of
// journal appends, processed outcomes and snapshots is one transaction of a few multi-row statements.
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { Envelope } from "../Envelope.js"
import type { CommitBatch, JournalEntry, Persistence, Recovered, SnapshotRecord } from "../Persistence.js"

interface JournalRow {
  readonly id: string
  readonly to_address: string
  readonly seq: string | number
  readonly sent_at: string | number
  readonly from_address: string
  readonly type: string
  readonly payload: unknown
  readonly correlation_id: string
  readonly causation_id: string | null
}

interface SnapshotRow {
  readonly address: string
  readonly plugin: string
  readonly kind: string | null
  readonly parent: string | null
  readonly input: unknown
  readonly seq: string | number
  readonly state: unknown
}

const toEntry = (row: JournalRow): JournalEntry => {
  const envelope: Envelope = {
    id: row.id,
    type: row.type,
    payload: row.payload,
    from: row.from_address,
    to: row.to_address,
    correlationId: row.correlation_id,
    causationId: row.causation_id,
    sentAt: Number(row.sent_at),
  }
  return { envelope, seq: Number(row.seq) }
}

const toSnapshot = (row: SnapshotRow): SnapshotRecord => ({
  address: row.address,
  plugin: row.plugin,
  kind: row.kind,
  parent: row.parent,
  input: row.input,
  seq: Number(row.seq),
  state: row.state,
})

/** JSON values travel as text and are cast to jsonb in SQL, the same on both backends. */
const json = (value: unknown): string => JSON.stringify(value ?? null)

export const commitBatch = (batch: CommitBatch) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const work = Effect.gen(function* () {
      if (batch.appended.length > 0) {
        const rows = batch.appended.map(({ envelope, seq }) => ({
          id: envelope.id,
          to_address: envelope.to,
          seq,
          sent_at: envelope.sentAt,
          from_address: envelope.from,
          type: envelope.type,
          payload: json(envelope.payload),
          correlation_id: envelope.correlationId,
          causation_id: envelope.causationId,
        }))
        yield* sql`INSERT INTO journal (id, to_address, seq, sent_at, from_address, type, payload, correlation_id, causation_id)
          SELECT id, to_address, seq, sent_at, from_address, type, payload::jsonb, correlation_id, causation_id
          FROM json_populate_recordset(null::journal_input, ${json(rows)}::json)`
      }
      if (batch.processed.length > 0)
        yield* sql`UPDATE journal SET outcome = p.outcome, processed_at = now()
          FROM json_populate_recordset(null::journal_outcome, ${json(batch.processed)}::json) AS p
          WHERE journal.id = p.id`
      if (batch.snapshots.length > 0) {
        const rows = batch.snapshots.map((s) => ({ ...s, input: json(s.input), state: json(s.state) }))
        yield* sql`INSERT INTO snapshots (address, plugin, kind, parent, input, seq, state)
          SELECT address, plugin, kind, parent, input::jsonb, seq, state::jsonb
          FROM json_populate_recordset(null::snapshot_input, ${json(rows)}::json)
          ON CONFLICT (address) DO UPDATE SET seq = EXCLUDED.seq, state = EXCLUDED.state, updated_at = now()`
      }
      if (batch.removed.length > 0)
        yield* sql`DELETE FROM snapshots WHERE address IN ${sql.in(batch.removed)}`
    })
    yield* sql.withTransaction(work)
  })

export const recoverAddress = (address: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const [snapshotRow] = yield* sql<SnapshotRow>`
      SELECT address, plugin, kind, parent, input, seq, state FROM snapshots WHERE address = ${address}`
    const snapshot = snapshotRow === undefined ? null : toSnapshot(snapshotRow)
    // Messages that crashed their actor or were refused are not delivered again: they would fail again.
    const pending = yield* sql<JournalRow>`
      SELECT id, to_address, seq, sent_at, from_address, type, payload, correlation_id, causation_id
      FROM journal
      WHERE to_address = ${address} AND seq > ${snapshot?.seq ?? 0}
        AND (outcome IS NULL OR outcome = 'processed')
      ORDER BY seq`
    const [last] = yield* sql<{ readonly last: string | number | null }>`
      SELECT max(seq) AS last FROM journal WHERE to_address = ${address}`
    const recovered: Recovered = {
      snapshot,
      pending: pending.map(toEntry),
      lastSeq: Math.max(Number(last?.last ?? 0), snapshot?.seq ?? 0),
    }
    return recovered
  })

export const childrenOf = (parent: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<SnapshotRow>`
      SELECT address, plugin, kind, parent, input, seq, state FROM snapshots WHERE parent = ${parent}
      ORDER BY address`
    return rows.map(toSnapshot)
  })

/** A Persistence for the actor system, running its statements with the given client. */
export const make = (sql: SqlClient.SqlClient): Persistence => {
  const run = <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient>): Promise<A> =>
    Effect.runPromise(Effect.provideService(effect, SqlClient.SqlClient, sql))
  return {
    commit: (batch) => run(commitBatch(batch)),
    recover: (address) => run(recoverAddress(address)),
    children: (parent) => run(childrenOf(parent)),
  }
}
