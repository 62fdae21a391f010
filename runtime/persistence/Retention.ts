// Keeps the journal from growing without bound: settled messages older than the retention age, or
// beyond the newest N of their address, are deleted — never one that recovery could still need (not
// yet covered by its actor's snapshot). Snapshots need no pruning: one row per live address.
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

export interface RetentionPolicy {
  /** Processed messages older than this are deleted. */
  readonly maxAgeMs: number
  /** At most this many processed messages are kept per address (the newest). */
  readonly keepPerAddress: number
}

/** Deletes what the policy lets go; returns how many journal rows were deleted. */
export const pruneJournal = (policy: RetentionPolicy) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const cutoff = new Date(Date.now() - policy.maxAgeMs)
    // A message is settled when it has an outcome (crashed, refused, dead letter, or processed by a child
    // that is gone) or its actor's snapshot covers it (processed). Anything else may still be replayed.
    const deleted = yield* sql<{ readonly id: string }>`
      DELETE FROM journal AS j
      WHERE j.id IN (
        SELECT k.id FROM journal AS k
        LEFT JOIN snapshots AS s ON s.address = k.to_address
        WHERE (k.outcome IS NOT NULL OR s.seq >= k.seq)
          AND (
            k.at < ${cutoff}
            OR k.seq <= (SELECT max(m.seq) FROM journal AS m WHERE m.to_address = k.to_address) - ${policy.keepPerAddress}
          )
      )
      RETURNING j.id`
    return deleted.length
  })
