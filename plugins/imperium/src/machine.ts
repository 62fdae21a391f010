// Imperium's machine: orchestrates the learning cycle (trigger, distribute work to the agents, collect
// their results, draw learnings, make proposals, notify). The cycle is issue #7; until then a start enters
// `coordinating`, is refused there, and the actor returns to idle.
import { assign, notImplemented, publish, reply, replyError, setup } from "lvlup/sdk"
import type { ActorInput, MessageEvents } from "lvlup/sdk"
import type { accepts } from "./messages.js"

interface Context {
  readonly plugin: string
  /** Messages handled since the actor started (kept across restarts from a snapshot). */
  readonly handled: number
  /** Runtime time of the message that last moved the actor to another state; null until one does. */
  readonly since: number | null
}

/** Work that is not built yet: the area the refusal names and the issue that will build it. */
const cycle = { area: "imperium learning cycle", issue: 7 }
const history = { area: "imperium learning cycle history", issue: 7 }

type Events = MessageEvents<typeof accepts>

/** Answers the request with `NotImplemented` and publishes the refusal (a `tell` gets no reply). */
const refuse = (work: { readonly area: string; readonly issue: number }) => {
  const failure = notImplemented(work.area, work.issue)
  return [
    replyError<Context, Events, undefined, Events>(failure),
    publish<Context, Events, undefined, Events>("imperium.work.refused", ({ event }) => ({
      messageType: event.type,
      ...work,
      reason: failure.message,
    })),
  ]
}

export const machine = setup({
  types: {
    context: {} as Context,
    events: {} as Events,
    input: {} as ActorInput,
  },
  actions: {
    count: assign({ handled: ({ context }) => context.handled + 1 }),
    stamp: assign({ since: ({ event }) => event.envelope.sentAt }),
    answerStatus: reply(({ context, self }) => ({
      plugin: context.plugin,
      state: self.getSnapshot().value,
      handled: context.handled,
      ...(context.since === null ? {} : { since: context.since }),
    })),
  },
}).createMachine({
  id: "imperium",
  context: ({ input }) => ({ plugin: input.plugin, handled: 0, since: null }),
  initial: "idle",
  on: {
    status: { actions: ["count", "answerStatus"] },
    // Answered in every state: asking about cycles must not wait for the running one.
    "imperium.cycle.query": { actions: ["count", ...refuse(history)] },
  },
  states: {
    idle: {
      on: { "imperium.cycle.start": { target: "coordinating", actions: ["count", "stamp"] } },
    },
    coordinating: {
      entry: refuse(cycle),
      always: "idle",
    },
    // The cycle's later stages in the seed's order, entered once issue #7 builds the cycle; named now so
    // that the states the API shows stay the same when it does.
    distributing: {},
    collecting: {},
    learning: {},
    proposing: {},
    notifying: {},
  },
})
