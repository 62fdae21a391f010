// The actions a machine uses to talk to the rest of the system. Each is an XState `emit`: the machine
// stays pure (it only declares what it wants sent) and the runtime, listening to emitted events, does
// the sending by address. Nothing here holds a reference to another actor.
import { emit } from "xstate"
import type { ActionArgs, ActionFunction, EventObject, MachineContext, ParameterizedObject } from "xstate"
import type { Envelope, Message } from "./Envelope.js"

export interface ReplyFailure {
  readonly code: string
  readonly message: string
  readonly details?: unknown
}

/** Everything a hosted machine may emit to the runtime. */
export type RuntimeEmitted =
  | {
      readonly type: "lvlup.reply"
      readonly payload?: unknown
      readonly error?: ReplyFailure
      /** The request answered; defaults to the message being processed when the action runs. */
      readonly inReplyTo?: Envelope | undefined
    }
  | { readonly type: "lvlup.tell"; readonly to: string; readonly message: Message }
  | { readonly type: "lvlup.publish"; readonly topic?: string | undefined; readonly event: Message }
  | { readonly type: "lvlup.spawn"; readonly kind: string; readonly name: string; readonly input?: unknown }
  | { readonly type: "lvlup.stop-child"; readonly name: string }

type Args<C extends MachineContext, E extends EventObject, V extends EventObject> = ActionArgs<C, E, V>
type Out<C extends MachineContext, E extends EventObject, P, V extends EventObject> = ActionFunction<
  C,
  E,
  V,
  P extends ParameterizedObject["params"] | undefined ? P : undefined,
  never,
  never,
  never,
  never,
  RuntimeEmitted
>
type Valued<C extends MachineContext, E extends EventObject, V extends EventObject, T> =
  T | ((args: Args<C, E, V>) => T)

const valueOf = <C extends MachineContext, E extends EventObject, V extends EventObject, T>(
  value: Valued<C, E, V, T>,
  args: Args<C, E, V>,
): T => (typeof value === "function" ? (value as (a: Args<C, E, V>) => T)(args) : value)

/**
 * Answers an `ask`. Without `inReplyTo` it answers the message being processed, which is right for a
 * reply in the same transition; a reply after async work passes the request envelope it kept in context.
 */
export const reply = <
  C extends MachineContext,
  E extends EventObject,
  P extends ParameterizedObject["params"] | undefined,
  V extends EventObject,
>(
  payload: (args: Args<C, E, V>) => unknown,
  options?: { readonly inReplyTo?: (args: Args<C, E, V>) => Envelope | null | undefined },
): Out<C, E, P, V> =>
  emit((args: Args<C, E, V>) => ({
    type: "lvlup.reply" as const,
    payload: payload(args),
    inReplyTo: options?.inReplyTo?.(args) ?? undefined,
  })) as unknown as Out<C, E, P, V>

/** Answers an `ask` with an error; the asker's promise rejects with a `ReplyError` carrying `code`. */
export const replyError = <
  C extends MachineContext,
  E extends EventObject,
  P extends ParameterizedObject["params"] | undefined,
  V extends EventObject,
>(
  failure: Valued<C, E, V, ReplyFailure>,
  options?: { readonly inReplyTo?: (args: Args<C, E, V>) => Envelope | null | undefined },
): Out<C, E, P, V> =>
  emit((args: Args<C, E, V>) => ({
    type: "lvlup.reply" as const,
    error: valueOf(failure, args),
    inReplyTo: options?.inReplyTo?.(args) ?? undefined,
  })) as unknown as Out<C, E, P, V>

/** Sends a message to another actor by address (fire and forget). */
export const tell = <
  C extends MachineContext,
  E extends EventObject,
  P extends ParameterizedObject["params"] | undefined,
  V extends EventObject,
>(
  to: Valued<C, E, V, string>,
  message: Valued<C, E, V, Message>,
): Out<C, E, P, V> =>
  emit((args: Args<C, E, V>) => ({
    type: "lvlup.tell" as const,
    to: valueOf(to, args),
    message: valueOf(message, args),
  })) as unknown as Out<C, E, P, V>

/** Publishes an event (a type declared in the plugin's `emits`) on a topic, by default the plugin's name. */
export const publish = <
  C extends MachineContext,
  E extends EventObject,
  P extends ParameterizedObject["params"] | undefined,
  V extends EventObject,
>(
  type: string,
  payload: (args: Args<C, E, V>) => unknown,
  options?: { readonly topic?: string },
): Out<C, E, P, V> =>
  emit((args: Args<C, E, V>) => ({
    type: "lvlup.publish" as const,
    topic: options?.topic,
    event: { type, payload: payload(args) },
  })) as unknown as Out<C, E, P, V>

/** Starts a child actor of a kind declared in the manifest's `children`, at `<own address>/<name>`. */
export const spawnChild = <
  C extends MachineContext,
  E extends EventObject,
  P extends ParameterizedObject["params"] | undefined,
  V extends EventObject,
>(
  kind: string,
  name: Valued<C, E, V, string>,
  input?: (args: Args<C, E, V>) => unknown,
): Out<C, E, P, V> =>
  emit((args: Args<C, E, V>) => ({
    type: "lvlup.spawn" as const,
    kind,
    name: valueOf(name, args),
    input: input?.(args),
  })) as unknown as Out<C, E, P, V>

/** Stops a child actor started with `spawnChild`. */
export const stopChild = <
  C extends MachineContext,
  E extends EventObject,
  P extends ParameterizedObject["params"] | undefined,
  V extends EventObject,
>(
  name: Valued<C, E, V, string>,
): Out<C, E, P, V> =>
  emit((args: Args<C, E, V>) => ({
    type: "lvlup.stop-child" as const,
    name: valueOf(name, args),
  })) as unknown as Out<C, E, P, V>
