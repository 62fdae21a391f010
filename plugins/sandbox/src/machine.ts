// Sandbox's machine: runs untrusted code in isolation. The run will be an invoked Effect program (issue
// #6); until it exists a run request enters `running`, is refused there, and the actor returns to idle.
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
const run = { area: "sandbox runs", issue: 6 }
const kill = { area: "stopping sandbox runs", issue: 6 }

type Events = MessageEvents<typeof accepts>

/** Answers the request with `NotImplemented` and publishes the refusal (a `tell` gets no reply). */
const refuse = (work: { readonly area: string; readonly issue: number }) => {
  const failure = notImplemented(work.area, work.issue)
  return [
    replyError<Context, Events, undefined, Events>(failure),
    publish<Context, Events, undefined, Events>("sandbox.work.refused", ({ event }) => ({
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
  id: "sandbox",
  context: ({ input }) => ({ plugin: input.plugin, handled: 0, since: null }),
  initial: "idle",
  on: {
    status: { actions: ["count", "answerStatus"] },
    // Handled in every state, since a kill matters most while a run is under way.
    "sandbox.run.kill": { actions: ["count", ...refuse(kill)] },
  },
  states: {
    idle: {
      on: { "sandbox.run.request": { target: "running", actions: ["count", "stamp"] } },
    },
    running: {
      entry: refuse(run),
      always: "idle",
    },
    // Entered after a finished run once issue #6 builds runs, to publish its output and exit status;
    // named now so that the states the API shows stay the same when it does.
    reporting: {},
  },
})
