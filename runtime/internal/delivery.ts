// The in-memory form of an accepted message.
import { messageIdOf } from "../Envelope.js"
import type { Envelope, MessageEvent } from "../Envelope.js"

/**
 * An accepted message: its envelope, which is also the event its machine receives (`event.envelope` is
 * the object itself), so that a message costs one allocation. The getter stays out of JSON.
 */
export class Delivery implements Envelope, MessageEvent {
  constructor(
    /** The id, or the number reserved for it: most in-memory messages never need the string. */
    private idOrReserved: string | number,
    readonly type: string,
    readonly payload: unknown,
    readonly from: string,
    readonly to: string,
    /** null: the message starts its own exchange (its correlation id is its id). */
    private readonly correlation: string | null,
    readonly causationId: string | null,
    readonly sentAt: number,
    /** Position in the receiver's stream (journaled actors), 0 otherwise. */
    readonly seq: number,
  ) {}

  get id(): string {
    if (typeof this.idOrReserved === "number") this.idOrReserved = messageIdOf(this.idOrReserved)
    return this.idOrReserved
  }

  get correlationId(): string {
    return this.correlation ?? this.id
  }

  get envelope(): Envelope {
    return this
  }

  toJSON(): Envelope {
    const { id, type, payload, from, to, correlationId, causationId, sentAt } = this
    return { id, type, payload, from, to, correlationId, causationId, sentAt }
  }
}
