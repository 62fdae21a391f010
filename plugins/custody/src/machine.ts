// Custody's machine: tests agents, keeps their XP and levels, and says whether each may create proposals.
// Tests and XP will be built by issue #7 and are refused until then; eligibility is answered now from the
// configured default, saying so, because proposals need the gate before custody tests exist.
import { assign, notImplemented, publish, reply, replyError, setup } from "lvlup/sdk"
import type { ActorInput, MessageEvents } from "lvlup/sdk"
import type { CustodyConfig } from "./config.js"
import type { accepts } from "./messages.js"

interface Context {
  readonly plugin: string
  readonly config: CustodyConfig
  /** Messages handled since the actor started (kept across restarts from a snapshot). */
  readonly handled: number
  /** Runtime time of the message that last moved the actor to another state; null until one does. */
  readonly since: number | null
}

/** Work that is not built yet: the area the refusal names and the issue that will build it. */
const tests = { area: "custody tests", issue: 7 }
const records = { area: "custody XP and levels", issue: 7 }

type Events = MessageEvents<typeof accepts>

/** Answers the request with `NotImplemented` and publishes the refusal (a `tell` gets no reply). */
const refuse = (work: { readonly area: string; readonly issue: number }) => {
  const failure = notImplemented(work.area, work.issue)
  return [
    replyError<Context, Events, undefined, Events>(failure),
    publish<Context, Events, undefined, Events>("custody.work.refused", ({ event }) => ({
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
    input: {} as ActorInput<CustodyConfig>,
  },
  actions: {
    count: assign({ handled: ({ context }) => context.handled + 1 }),
    stamp: assign({ since: ({ event }) => event.envelope.sentAt }),
    answerStatus: reply(({ context, self }) => ({
      plugin: context.plugin,
      state: self.getSnapshot().value,
      config: context.config,
      handled: context.handled,
      ...(context.since === null ? {} : { since: context.since }),
    })),
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
