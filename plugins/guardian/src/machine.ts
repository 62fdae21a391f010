// Guardian's machine: scans a workspace and reviews proposal diffs. Both will be invoked Effect programs
// (issue #6); until they exist each request enters its working state, is refused there, and the actor
// returns to idle, so the state names are the ones the API and console will keep showing.
import { answerStatus, countHandled, refuseNotImplemented, setup, stampSince } from "lvlup/sdk"
import type { ActorInput, AgentCounters, MessageEvents, PendingWork } from "lvlup/sdk"
import type { accepts } from "./messages.js"

type Context = AgentCounters

/** Work that is not built yet: the area the refusal names and the issue that will build it. */
const scan = { area: "guardian workspace scan", issue: 6 }
const review = { area: "guardian proposal review", issue: 6 }

type Events = MessageEvents<typeof accepts>

/** Answers the request with `NotImplemented` and publishes the refusal (a `tell` gets no reply). */
const refuse = (work: PendingWork) => refuseNotImplemented<Context, Events>(work, "guardian.work.refused")

export const machine = setup({
  types: {
    context: {} as Context,
    events: {} as Events,
    input: {} as ActorInput,
  },
  actions: { count: countHandled(), stamp: stampSince(), answerStatus: answerStatus() },
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
