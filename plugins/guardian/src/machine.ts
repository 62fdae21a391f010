// Guardian's machine: scans a workspace and reviews proposal diffs. Both will be invoked Effect programs
// (issue #6); until they exist each request enters its working state, is refused there, and the actor
// returns to idle, so the state names are the ones the API and console will keep showing.
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
const scan = { area: "guardian workspace scan", issue: 6 }
const review = { area: "guardian proposal review", issue: 6 }

type Events = MessageEvents<typeof accepts>

/** Answers the request with `NotImplemented` and publishes the refusal (a `tell` gets no reply). */
const refuse = (work: { readonly area: string; readonly issue: number }) => {
  const failure = notImplemented(work.area, work.issue)
  return [
    replyError<Context, Events, undefined, Events>(failure),
    publish<Context, Events, undefined, Events>("guardian.work.refused", ({ event }) => ({
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
  id: "guardian",
  context: ({ input }) => ({ plugin: input.plugin, handled: 0, since: null }),
  initial: "idle",
  on: { status: { actions: ["count", "answerStatus"] } },
  states: {
    idle: {
      on: {
        "guardian.scan.request": { target: "scanning", actions: ["count", "stamp"] },
        "guardian.review.request": { target: "reviewing", actions: ["count", "stamp"] },
      },
    },
    scanning: {
      entry: refuse(scan),
      always: "idle",
    },
    reviewing: {
      entry: refuse(review),
      always: "idle",
    },
    // Entered after a finished scan or review once issue #6 builds them, to publish the findings; named now
    // so that the states the API shows stay the same when it does.
    reporting: {},
  },
})
