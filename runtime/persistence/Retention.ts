// Keeps the journal from growing without bound: processed messages older than the retention age, or
// beyond the newest N of their address, are deleted — never one that recovery could still need (not
// processed yet, or after its actor's snapshot). Snapshots need no pruning: one row per live address.
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
    const deleted = yield* sql<{ readonly id: string }>`
      DELETE FROM journal AS j
      WHERE j.processed_at IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM snapshots AS s WHERE s.address = j.to_address AND j.seq > s.seq)
        AND (
          j.at < ${cutoff}
          OR j.seq <= (SELECT max(k.seq) FROM journal AS k WHERE k.to_address = j.to_address) - ${policy.keepPerAddress}
        )
      RETURNING j.id`
    return deleted.length
  })
