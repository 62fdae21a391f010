// A bounded FIFO of envelopes for one actor. Full means refused, never dropped: the caller gets the
// failure and decides what to do.
import Denque from "denque"
import type { Envelope } from "./Envelope.js"

export class Mailbox {
  private readonly queue = new Denque<Envelope>()

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.queue.length
  }

  get isFull(): boolean {
    return this.queue.length >= this.capacity
  }

  /** False when full. */
  offer(envelope: Envelope): boolean {
    if (this.queue.length >= this.capacity) return false
    this.queue.push(envelope)
    return true
  }

  take(): Envelope | undefined {
    return this.queue.shift()
  }

  /** Empties the mailbox, returning what was in it (oldest first). */
  drain(): Envelope[] {
    const all = this.queue.toArray()
    this.queue.clear()
    return all
  }
}
