// Custody's machine: tests agents, keeps their XP and levels, and says whether each may create proposals.
// Tests and XP will be built by issue #7 and are refused until then; eligibility is answered now from the
// configured default, saying so, because proposals need the gate before custody tests exist.
import { answerStatus, countHandled, refuseNotImplemented, reply, setup, stampSince } from "lvlup/sdk"
import type { ActorInput, AgentCounters, MessageEvents, PendingWork } from "lvlup/sdk"
import type { CustodyConfig } from "./config.js"
import type { accepts } from "./messages.js"

interface Context extends AgentCounters {
  readonly config: CustodyConfig
}

/** Work that is not built yet: the area the refusal names and the issue that will build it. */
const tests = { area: "custody tests", issue: 7 }
const records = { area: "custody XP and levels", issue: 7 }

type Events = MessageEvents<typeof accepts>

/** Answers the request with `NotImplemented` and publishes the refusal (a `tell` gets no reply). */
const refuse = (work: PendingWork) => refuseNotImplemented<Context, Events>(work, "custody.work.refused")

export const machine = setup({
  types: {
    context: {} as Context,
    events: {} as Events,
    input: {} as ActorInput<CustodyConfig>,
  },
  actions: {
    count: countHandled(),
    stamp: stampSince(),
    answerStatus: answerStatus(({ config }) => ({ config })),
  },
}).createMachine({
  id: "custody",
  context: ({ input }) => ({ plugin: input.plugin, config: input.config, handled: 0, since: null }),
  initial: "idle",
  on: {
    status: { actions: ["count", "answerStatus"] },
    // Queries are answered in every state: a test under way must not hold up the proposal gate.
    "custody.eligibility.query": {
      actions: [
        "count",
        reply(({ context, event }) => ({
          agent: event.payload.agent,
          eligible: context.config.eligibilityDefault === "allow",
          reason: `custody tests are not implemented yet (issue #${tests.issue}); eligibility follows config eligibilityDefault=${context.config.eligibilityDefault}`,
        })),
      ],
    },
    "custody.agent.query": { actions: ["count", ...refuse(records)] },
  },
  states: {
    idle: {
      on: { "custody.test.request": { target: "testing", actions: ["count", "stamp"] } },
    },
    testing: {
      entry: refuse(tests),
      always: "idle",
    },
    // Entered after a test once issue #7 builds tests, to score it and award XP (and a level); named now
    // so that the states the API shows stay the same when it does.
    grading: {},
  },
})
