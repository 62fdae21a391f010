// The Effect services a plugin's invoked programs can use. `Bus` sends by address, `ActorSelf` says
// which actor the program runs for. The runtime provides both (and the platform's services) when it
// runs a program started by `fromEffect`.
import { Context } from "effect"
import type { Effect } from "effect"
import type { Envelope, Message } from "./Envelope.js"
import type { AskError, DeliveryError } from "./RuntimeError.js"

export interface BusApi {
  /** Enqueues a message for `to`; succeeds with the envelope once it is in the receiver's mailbox. */
  readonly tell: (to: string, message: Message) => Effect.Effect<Envelope, DeliveryError>
  /** Sends and waits for the reply (or a typed error: timeout, crash, refusal, error reply). */
  readonly ask: (
    to: string,
    message: Message,
    options?: { readonly timeoutMs?: number },
  ) => Effect.Effect<unknown, AskError>
  /** Publishes an event on a topic. */
  readonly publish: (topic: string, event: Message) => Effect.Effect<void>
}

export class Bus extends Context.Tag("lvlup/runtime/Bus")<Bus, BusApi>() {}

export interface ActorSelfApi {
  readonly address: string
  readonly plugin: string
  /** The message whose processing started the program, if any (what it sends carries its ids). */
  readonly cause: Envelope | null
}

export class ActorSelf extends Context.Tag("lvlup/runtime/ActorSelf")<ActorSelf, ActorSelfApi>() {}

/** Services always available to a plugin's programs. */
export type RuntimeServices = Bus | ActorSelf
