// The envelope every message travels in: plain data (no functions, no references), so that it can be
// journaled, replayed and sent across machines, and so any exchange between agents can be traced.
import { randomBytes } from "node:crypto"
import { Schema } from "effect"

export const Envelope = Schema.Struct({
  id: Schema.String,
  type: Schema.String,
  payload: Schema.Unknown,
  from: Schema.String,
  to: Schema.String,
  /** Shared by a request and everything done on its behalf; a reply carries its request's id here. */
  correlationId: Schema.String,
  /** The message whose processing sent this one; null for messages from outside the system. */
  causationId: Schema.NullOr(Schema.String),
  sentAt: Schema.Number,
})
export interface Envelope<P = unknown> extends Omit<typeof Envelope.Type, "payload"> {
  readonly payload: P
}

/** The outside world's address: messages sent by API clients, schedules or tests. */
export const EXTERNAL = "external"

/**
 * Message ids: unique across processes and restarts (a per-process prefix of start time and random bits)
 * yet cheap on the hot path (a counter). A UUID per message cost a third of the bus's throughput in GC.
 */
const idPrefix = `${Date.now().toString(36)}${randomBytes(5).toString("hex")}.`
let idCounter = 0
export const newMessageId = (): string => idPrefix + (idCounter++).toString(36)

/** A number reserved for a message id, turned into the id only when someone reads it. */
export const reserveMessageId = (): number => idCounter++

export const messageIdOf = (reserved: number): string => idPrefix + reserved.toString(36)

/** The event an actor's machine receives for a delivered message. */
export interface MessageEvent<T extends string = string, P = unknown> {
  readonly type: T
  readonly payload: P
  readonly envelope: Envelope<P>
}

/** What a sender hands to `tell`/`ask`: a message type and its payload. */
export interface Message<T extends string = string, P = unknown> {
  readonly type: T
  readonly payload?: P
}

/** Who a message is from and on whose behalf; filled in by the runtime when an actor sends. */
export interface SendContext {
  readonly from?: string
  readonly correlationId?: string
  readonly causationId?: string | null
}
