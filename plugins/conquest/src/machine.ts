// Conquest's machine: performance benchmarks, their statistics, and KPIs. These will be invoked Effect
// programs (issue #7); until they exist each request enters its working state, is refused there, and the
// actor returns to idle, so the state names are the ones the API and console will keep showing.
import { answerStatus, countHandled, refuseNotImplemented, setup, stampSince } from "lvlup/sdk"
import type { ActorInput, AgentCounters, MessageEvents, PendingWork } from "lvlup/sdk"
import type { accepts } from "./messages.js"

type Context = AgentCounters

/** Work that is not built yet: the area the refusal names and the issue that will build it. */
const benchmark = { area: "conquest benchmarks", issue: 7 }
const kpis = { area: "conquest KPIs", issue: 7 }

type Events = MessageEvents<typeof accepts>

/** Answers the request with `NotImplemented` and publishes the refusal (a `tell` gets no reply). */
const refuse = (work: PendingWork) => refuseNotImplemented<Context, Events>(work, "conquest.work.refused")

export const machine = setup({
  types: {
    context: {} as Context,
    events: {} as Events,
    input: {} as ActorInput,
  },
  actions: { count: countHandled(), stamp: stampSince(), answerStatus: answerStatus() },
}).createMachine({
  id: "conquest",
  context: ({ input }) => ({ plugin: input.plugin, handled: 0, since: null }),
  initial: "idle",
  on: { status: { actions: ["count", "answerStatus"] } },
  states: {
    idle: {
      on: {
        "conquest.benchmark.request": { target: "benchmarking", actions: ["count", "stamp"] },
        "conquest.kpi.request": { target: "analysing", actions: ["count", "stamp"] },
      },
    },
    benchmarking: {
      entry: refuse(benchmark),
      always: "idle",
    },
    // Statistics over measurements: KPIs now, and a benchmark's samples once issue #7 builds them.
    analysing: {
      entry: refuse(kpis),
      always: "idle",
    },
    // Entered after an analysis once issue #7 builds it, to publish the results; named now so that the
    // states the API shows stay the same when it does.
    reporting: {},
  },
})
