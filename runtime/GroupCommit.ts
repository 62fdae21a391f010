// Group commit: everything the system must make durable — accepted messages, processed outcomes, the
// snapshots actors reached — is gathered while one transaction runs and written by the next, so many
// actors' work costs one round trip. What waits on durability (acknowledgements, deliveries, replies)
// runs only after its batch commits, in order. A failed commit is retried; nothing is dropped.
import type { Clock } from "./Clock.js"
import type { Log } from "./Log.js"
import type { JournalEntry, Persistence, ProcessedEntry, SnapshotRecord } from "./Persistence.js"
import { describeCause } from "./RuntimeError.js"

export interface GroupCommitStats {
  batches: number
  messages: number
  snapshots: number
  lastBatchSize: number
  lastCommitMs: number
  failures: number
}

interface Batch {
  appended: JournalEntry[]
  processed: ProcessedEntry[]
  dirty: Map<string, () => SnapshotRecord>
  removed: string[]
  after: Array<() => void>
}

const emptyBatch = (): Batch => ({ appended: [], processed: [], dirty: new Map(), removed: [], after: [] })

export class GroupCommit {
  private open: Batch = emptyBatch()
  private running: Promise<void> | null = null
  private scheduled = false
  private retryDelayMs = 0
  readonly stats: GroupCommitStats = {
    batches: 0,
    messages: 0,
    snapshots: 0,
    lastBatchSize: 0,
    lastCommitMs: 0,
    failures: 0,
  }

  constructor(
    private readonly persistence: Persistence,
    private readonly clock: Clock,
    private readonly log: Log,
  ) {}

  /** Journals a message; `then` runs once it is durable. */
  append(entry: JournalEntry, then: () => void): void {
    this.open.appended.push(entry)
    this.open.after.push(then)
    this.schedule()
  }

  processed(entry: ProcessedEntry): void {
    this.open.processed.push(entry)
    this.schedule()
  }

  /** The actor's state changed: its snapshot is taken when the batch is written (once per batch). */
  touch(address: string, snapshot: () => SnapshotRecord): void {
    this.open.dirty.set(address, snapshot)
    this.schedule()
  }

  remove(address: string): void {
    this.open.dirty.delete(address)
    this.open.removed.push(address)
    this.schedule()
  }

  /** Runs once everything gathered so far is durable (a reply, a published event). */
  afterCommit(then: () => void): void {
    this.open.after.push(then)
    this.schedule()
  }

  /** Nothing gathered and nothing being written. */
  get isIdle(): boolean {
    return this.running === null && this.isEmpty(this.open)
  }

  /** Resolves when everything gathered so far is durable. */
  async flush(): Promise<void> {
    while (this.running !== null || !this.isEmpty(this.open)) {
      if (this.running === null) this.start()
      await this.running
    }
  }

  private isEmpty(batch: Batch): boolean {
    return (
      batch.appended.length === 0 &&
      batch.processed.length === 0 &&
      batch.dirty.size === 0 &&
      batch.removed.length === 0 &&
      batch.after.length === 0
    )
  }

  private schedule(): void {
    if (this.scheduled || this.running !== null) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      if (this.running === null && !this.isEmpty(this.open)) this.start()
    })
  }

  private start(): void {
    const batch = this.open
    this.open = emptyBatch()
    this.running = this.write(batch).finally(() => {
      this.running = null
      // Messages waiting for their journal write go at once; the rest can wait for this turn's work.
      if (this.open.appended.length > 0) this.start()
      else if (!this.isEmpty(this.open)) this.schedule()
    })
  }

  private async write(batch: Batch): Promise<void> {
    const snapshots = [...batch.dirty.values()].map((take) => take())
    const nothingToWrite =
      batch.appended.length === 0 &&
      batch.processed.length === 0 &&
      snapshots.length === 0 &&
      batch.removed.length === 0
    // A batch of waiters only (everything they wait for committed earlier) needs no round trip.
    for (;;) {
      if (nothingToWrite) break
      const started = performance.now()
      try {
        await this.persistence.commit({
          appended: batch.appended,
          processed: batch.processed,
          snapshots,
          removed: batch.removed,
        })
        this.stats.batches++
        this.stats.messages += batch.appended.length
        this.stats.snapshots += snapshots.length
        this.stats.lastBatchSize = batch.appended.length
        this.stats.lastCommitMs = performance.now() - started
        this.retryDelayMs = 0
        break
      } catch (error) {
        // The database is away: keep the batch (and everything behind it) and try again, backing off.
        this.stats.failures++
        this.retryDelayMs = Math.min(5000, Math.max(50, this.retryDelayMs * 2))
        this.log.error("journal commit failed; retrying", {
          reason: describeCause(error),
          retryInMs: this.retryDelayMs,
          messages: batch.appended.length,
        })
        await new Promise<void>((resolve) => this.clock.setTimer(this.retryDelayMs, resolve))
      }
    }
    for (const then of batch.after)
      try {
        then()
      } catch (error) {
        this.log.error("after-commit step failed", { reason: describeCause(error) })
      }
  }
}
