// Imperium's machine: orchestrates the learning cycle (trigger, distribute work to the agents, collect
// their results, draw learnings, make proposals, notify). The cycle is issue #7; until then a start enters
// `coordinating`, is refused there, and the actor returns to idle.
import { answerStatus, countHandled, refuseNotImplemented, setup, stampSince } from "lvlup/sdk"
import type { ActorInput, AgentCounters, MessageEvents, PendingWork } from "lvlup/sdk"
import type { accepts } from "./messages.js"

type Context = AgentCounters
type Events = MessageEvents<typeof accepts>

/** Work that is not built yet: the area the refusal names and the issue that will build it. */
const cycle = { area: "imperium learning cycle", issue: 7 }
const history = { area: "imperium learning cycle history", issue: 7 }

/** Answers the request with `NotImplemented` and publishes the refusal (a `tell` gets no reply). */
const refuse = (work: PendingWork) => refuseNotImplemented<Context, Events>(work, "imperium.work.refused")

export const machine = setup({
  types: {
    context: {} as Context,
    events: {} as Events,
    input: {} as ActorInput,
  },
  actions: { count: countHandled(), stamp: stampSince(), answerStatus: answerStatus() },
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
