// What every agent plugin shares: the `status` ask with its counters, and the published refusal of work
// that is not built yet. A plugin keeps `handled` and `since` in its context, accepts `status` with
// `StatusRequest`, declares `<name>.work.refused` with `WorkRefused`, and uses these actions.
import { Schema } from "effect"
import { assign } from "xstate"
import type { ActionFunction, EventObject, MachineContext, ParameterizedObject } from "xstate"
import { publish, reply, replyError } from "./Actions.js"
import type { RuntimeEmitted } from "./Actions.js"
import type { Envelope } from "./Envelope.js"
import { notImplemented } from "./NotImplemented.js"

/** Asks for the actor's state and counters; every plugin accepts it as `status`. */
export const StatusRequest = Schema.Struct({})

/** Published when a request is refused, so that a `tell` (which gets no reply) is not refused unseen. */
export const WorkRefused = Schema.Struct({
  messageType: Schema.String,
  area: Schema.String,
  issue: Schema.Int,
  reason: Schema.String,
})

/** The context fields the status answer reports. */
export interface AgentCounters {
  readonly plugin: string
  /** Messages handled since the actor started (kept across restarts from a snapshot). */
  readonly handled: number
  /** Runtime time of the message that last moved the actor to another state; null until one does. */
  readonly since: number | null
}

/** Work that is not built yet: the area a refusal names and the issue that will build it. */
export interface PendingWork {
  readonly area: string
  readonly issue: number
}

type Action<C extends MachineContext, E extends EventObject, P, V extends EventObject> = ActionFunction<
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

/** Counts the message being handled (`handled + 1`). */
export const countHandled = <
  C extends AgentCounters,
  E extends EventObject,
  P extends ParameterizedObject["params"] | undefined,
  V extends EventObject,
>(): Action<C, E, P, V> =>
  assign(({ context }: { context: AgentCounters }) => ({
    handled: context.handled + 1,
  })) as unknown as Action<C, E, P, V>

/** Records the runtime time of the message being handled as `since` (use on transitions to a new state). */
export const stampSince = <
  C extends AgentCounters,
  E extends EventObject & { readonly envelope: Envelope },
  P extends ParameterizedObject["params"] | undefined,
  V extends EventObject,
>(): Action<C, E, P, V> =>
  assign(({ event }: { event: { readonly envelope: Envelope } }) => ({
    since: event.envelope.sentAt,
  })) as unknown as Action<C, E, P, V>

/**
 * Answers `status`: the plugin, its state value, any `extra` fields (custody adds its config), the
 * number of messages handled and, once set, `since`.
 */
export const answerStatus = <
  C extends AgentCounters,
  E extends EventObject,
  P extends ParameterizedObject["params"] | undefined,
  V extends EventObject,
>(
  extra?: (context: C) => Record<string, unknown>,
): Action<C, E, P, V> =>
  reply<C, E, P, V>(({ context, self }) => ({
    plugin: context.plugin,
    state: self.getSnapshot().value,
    ...extra?.(context),
    handled: context.handled,
    ...(context.since === null ? {} : { since: context.since }),
  }))

/**
 * Refuses work that is not built yet: answers the request with `NotImplemented` and publishes
 * `eventType` (the plugin's `<name>.work.refused`, a `WorkRefused`), since a `tell` gets no reply.
 */
export const refuseNotImplemented = <
  C extends MachineContext,
  E extends EventObject,
  P extends ParameterizedObject["params"] | undefined = undefined,
  V extends EventObject = E,
>(
  work: PendingWork,
  eventType: string,
): [Action<C, E, P, V>, Action<C, E, P, V>] => {
  const failure = notImplemented(work.area, work.issue)
  return [
    replyError<C, E, P, V>(failure),
    publish<C, E, P, V>(eventType, ({ event }) => ({
      messageType: event.type,
      area: work.area,
      issue: work.issue,
      reason: failure.message,
    })),
  ]
}
