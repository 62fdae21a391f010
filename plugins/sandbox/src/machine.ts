// Sandbox's machine: runs untrusted code in isolation. The run will be an invoked Effect program (issue
// #6); until it exists a run request enters `running`, is refused there, and the actor returns to idle.
import { answerStatus, countHandled, refuseNotImplemented, setup, stampSince } from "lvlup/sdk"
import type { ActorInput, AgentCounters, MessageEvents, PendingWork } from "lvlup/sdk"
import type { accepts } from "./messages.js"

type Context = AgentCounters

/** Work that is not built yet: the area the refusal names and the issue that will build it. */
const run = { area: "sandbox runs", issue: 6 }
const kill = { area: "stopping sandbox runs", issue: 6 }

type Events = MessageEvents<typeof accepts>

/** Answers the request with `NotImplemented` and publishes the refusal (a `tell` gets no reply). */
const refuse = (work: PendingWork) => refuseNotImplemented<Context, Events>(work, "sandbox.work.refused")

export const machine = setup({
  types: {
    context: {} as Context,
    events: {} as Events,
    input: {} as ActorInput,
  },
  actions: { count: countHandled(), stamp: stampSince(), answerStatus: answerStatus() },
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
