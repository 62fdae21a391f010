// A bounded FIFO of messages for one actor. Full means refused, never dropped: the caller gets the
// failure and decides what to do.
import Denque from "denque"

export class Mailbox<T> {
  private readonly queue = new Denque<T>()

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.queue.length
  }

  get isFull(): boolean {
    return this.queue.length >= this.capacity
  }

  /** False when full. */
  offer(item: T): boolean {
    if (this.queue.length >= this.capacity) return false
    this.queue.push(item)
    return true
  }

  /** Adds past the bound: for messages already accepted (journaled or recovered), never for new ones. */
  force(item: T): void {
    this.queue.push(item)
  }

  take(): T | undefined {
    return this.queue.shift()
  }

  /** Empties the mailbox, returning what was in it (oldest first). */
  drain(): T[] {
    const all = this.queue.toArray()
    this.queue.clear()
    return all
  }
}
