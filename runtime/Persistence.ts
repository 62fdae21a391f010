// What the actor system needs from durable storage, as one narrow interface: commit a batch (messages
// accepted, messages processed, snapshots reached) atomically, and recover an actor. The SQL store
// implements it; the system batches into it (group commit) so persistence is not the bottleneck.
import type { Envelope } from "./Envelope.js"

/** A message accepted for an address, with its position in that address's stream (1, 2, 3, …). */
export interface JournalEntry {
  readonly envelope: Envelope
  readonly seq: number
}

export interface ProcessedEntry {
  readonly id: string
  /** `processed`, or why it was not (`crashed: …`, `dead-letter: …`). */
  readonly outcome: string
}

export interface SnapshotRecord {
  readonly address: string
  readonly plugin: string
  /** The child kind, or null for a plugin's root actor. */
  readonly kind: string | null
  readonly parent: string | null
  /** The spawn input of a child (restored with it). */
  readonly input: unknown
  /** The last message of the address's stream that the snapshot includes. */
  readonly seq: number
  /** XState's persisted snapshot. */
  readonly state: unknown
}

export interface CommitBatch {
  readonly appended: ReadonlyArray<JournalEntry>
  readonly processed: ReadonlyArray<ProcessedEntry>
  readonly snapshots: ReadonlyArray<SnapshotRecord>
  /** Addresses whose snapshots are gone for good (stopped children). */
  readonly removed: ReadonlyArray<string>
}

export interface Recovered {
  readonly snapshot: SnapshotRecord | null
  /** Messages after the snapshot, in stream order: they are delivered again. */
  readonly pending: ReadonlyArray<JournalEntry>
  /** The highest position the address's stream reached (new messages continue after it). */
  readonly lastSeq: number
}

export interface Persistence {
  /** One transaction: everything in the batch is durable when this resolves, or nothing is. */
  readonly commit: (batch: CommitBatch) => Promise<void>
  readonly recover: (address: string) => Promise<Recovered>
  /** Snapshots of the children an address had (to bring them back with it). */
  readonly children: (parent: string) => Promise<ReadonlyArray<SnapshotRecord>>
}
