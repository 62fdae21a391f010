// Keeps the connections of pglite-socket's server from interleaving inside each other's requests. All
// connections share PGlite's single PostgreSQL session; the stock queue runs their protocol messages one
// at a time but hands the session to another connection between a Parse and its Bind/Execute/Sync, so a
// large query (split over TCP reads) could execute another connection's statement. This queue gives the
// session to one connection from its first message until PostgreSQL reports ReadyForQuery with status
// idle: a request cycle, or a whole transaction, runs alone. The one cast into the server is here.
import type { PGlite } from "@electric-sql/pglite"
import type { PGLiteSocketServer } from "@electric-sql/pglite-socket"

const READY_FOR_QUERY = 0x5a // 'Z'
const IDLE = 0x49 // 'I': not in a transaction block
const SYNC = new Uint8Array([0x53, 0, 0, 0, 4]) // 'S', length 4

/** Follows backend messages (type byte, int32 length, body) across chunks; remembers the last one. */
class ResponseScanner {
  private readonly header = new Uint8Array(5)
  private headerLength = 0
  private remaining = 0
  private type = 0
  private status = -1

  push(chunk: Uint8Array): void {
    let i = 0
    while (i < chunk.length) {
      if (this.remaining === 0) {
        this.header[this.headerLength++] = chunk[i++]!
        if (this.headerLength === 5) {
          const h = this.header
          this.type = h[0]!
          this.remaining = ((h[1]! << 24) | (h[2]! << 16) | (h[3]! << 8) | h[4]!) - 4
          this.headerLength = 0
          this.status = -1
        }
      } else {
        if (this.type === READY_FOR_QUERY && this.status === -1) this.status = chunk[i]!
        const take = Math.min(this.remaining, chunk.length - i)
        i += take
        this.remaining -= take
      }
    }
  }

  /** The response ended with ReadyForQuery reporting an idle session. */
  get idle(): boolean {
    return (
      this.remaining === 0 && this.headerLength === 0 && this.type === READY_FOR_QUERY && this.status === IDLE
    )
  }
}

type Job =
  | {
      readonly kind: "message"
      readonly handlerId: number
      readonly message: Uint8Array
      readonly onData: (data: Uint8Array) => void
      readonly resolve: (bytes: number) => void
      readonly reject: (error: unknown) => void
    }
  | { readonly kind: "release"; readonly handlerId: number; readonly done: () => void }

/** The interface pglite-socket's handlers call (its own QueryQueueManager's public methods). */
export class SessionQueue {
  private jobs: Array<Job> = []
  private owner: number | null = null
  private running: number | null = null
  private draining = false

  constructor(private readonly db: PGlite) {}

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.jobs.push({ kind: "message", handlerId, message, onData, resolve, reject })
      void this.drain()
    })
  }

  getQueueLength(): number {
    return this.jobs.length
  }

  clearQueueForHandler(handlerId: number): void {
    this.jobs = this.jobs.filter((job) => {
      if (job.handlerId !== handlerId || job.kind !== "message") return true
      job.reject(new Error("Handler disconnected"))
      return false
    })
  }

  /** A disconnecting connection gives the session back: its open request cycle and transaction end. */
  clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.owner !== handlerId && this.running !== handlerId) return Promise.resolve()
    return new Promise((done) => {
      this.jobs.unshift({ kind: "release", handlerId, done })
      void this.drain()
    })
  }

  private next(): Job | undefined {
    const index = this.owner === null ? 0 : this.jobs.findIndex((job) => job.handlerId === this.owner)
    return index === -1 ? undefined : this.jobs.splice(index, 1)[0]
  }

  private async drain(): Promise<void> {
    if (this.draining) return
    this.draining = true
    try {
      for (let job = this.next(); job !== undefined; job = this.next()) {
        this.running = job.handlerId
        if (job.kind === "release") await this.release(job.handlerId, job.done)
        else await this.run(job)
        this.running = null
      }
    } finally {
      this.draining = false
    }
  }

  private async run(job: Extract<Job, { kind: "message" }>): Promise<void> {
    const scanner = new ResponseScanner()
    let bytes = 0
    try {
      await this.db.runExclusive(() =>
        this.db.execProtocolRawStream(job.message, {
          onRawData: (data) => {
            bytes += data.length
            scanner.push(data)
            job.onData(data)
          },
        }),
      )
    } catch (error) {
      this.owner = this.db.isInTransaction() ? job.handlerId : null
      job.reject(error)
      return
    }
    this.owner = scanner.idle ? null : job.handlerId
    job.resolve(bytes)
  }

  private async release(handlerId: number, done: () => void): Promise<void> {
    try {
      if (this.owner === handlerId) {
        // Sync ends an unfinished extended-protocol cycle (PostgreSQL skips to it after an error).
        await this.db.runExclusive(() => this.db.execProtocolRaw(SYNC))
        if (this.db.isInTransaction()) await this.db.exec("ROLLBACK")
      }
    } catch {
      // The session is handed on regardless: a rollback that failed leaves nothing open to keep.
    } finally {
      if (this.owner === handlerId) this.owner = null
      done()
    }
  }
}

/** Replaces the server's queue before it accepts connections (its handlers read it at connection time). */
export const installSessionQueue = (server: PGLiteSocketServer, db: PGlite): SessionQueue => {
  const internals = server as unknown as { queryQueue?: { enqueue?: unknown } }
  if (typeof internals.queryQueue?.enqueue !== "function") {
    throw new Error("@electric-sql/pglite-socket changed: PGLiteSocketServer has no queryQueue to replace")
  }
  const queue = new SessionQueue(db)
  ;(internals as { queryQueue: unknown }).queryQueue = queue
  return queue
}
