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

const appendRows = (batch: CommitBatch) =>
  batch.appended.map(({ envelope, seq }) => ({
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

/**
 * One statement for the whole batch (a statement is atomic on its own): journal appends, outcomes and
 * snapshots as chained CTEs, one round trip instead of five. Outcomes only ever name rows appended by
 * earlier batches (a message is delivered after its append commits), so the CTEs never overlap.
 */
export const commitBatch = (batch: CommitBatch) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const snapshots = batch.snapshots.map((s) => ({ ...s, input: json(s.input), state: json(s.state) }))
    const write = sql`
      WITH appended AS (
        INSERT INTO journal (id, to_address, seq, sent_at, from_address, type, payload, correlation_id, causation_id)
        SELECT id, to_address, seq, sent_at, from_address, type, payload::jsonb, correlation_id, causation_id
        FROM json_populate_recordset(null::journal_input, ${json(appendRows(batch))}::json)
        -- A batch retried after a lost reply may already be committed: writing it again is a no-op.
        ON CONFLICT (id) DO NOTHING
        RETURNING 1
      ), outcomes AS (
        UPDATE journal SET outcome = p.outcome, processed_at = now()
        FROM json_populate_recordset(null::journal_outcome, ${json(batch.processed)}::json) AS p
        WHERE journal.id = p.id
        RETURNING 1
      ), snapshotted AS (
        INSERT INTO snapshots (address, plugin, kind, parent, input, seq, state)
        SELECT address, plugin, kind, parent, input::jsonb, seq, state::jsonb
        FROM json_populate_recordset(null::snapshot_input, ${json(snapshots)}::json)
        ON CONFLICT (address) DO UPDATE SET seq = EXCLUDED.seq, state = EXCLUDED.state, updated_at = now()
        RETURNING 1
      )
      SELECT (SELECT count(*) FROM appended) AS appended`
    if (batch.removed.length === 0) {
      yield* write
      return
    }
    // A removed address (a stopped child) may also be in this batch's snapshots: delete after the upsert,
    // in one transaction, settling what its snapshot covered so that retention can prune it later.
    yield* sql.withTransaction(
      Effect.all([
        write,
        sql`UPDATE journal SET outcome = 'processed', processed_at = now()
          FROM snapshots AS s
          WHERE s.address IN ${sql.in(batch.removed)} AND journal.to_address = s.address
            AND journal.seq <= s.seq AND journal.outcome IS NULL`,
        sql`DELETE FROM snapshots WHERE address IN ${sql.in(batch.removed)}`,
      ]),
    )
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
