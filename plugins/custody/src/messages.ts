// Custody's messages: what it accepts (tests of an agent, its XP and level, its eligibility to create
// proposals, status) and what it publishes on its topic.
import { Schema, StatusRequest, WorkRefused } from "lvlup/sdk"

/** An agent, by the address of its plugin (`guardian`, `sandbox`, …). */
export const AgentName = Schema.String.pipe(Schema.pattern(/^[a-z][a-z0-9-]{0,62}$/))

/** Test an agent; the difficulty follows its level, so the request names only the agent. */
export const TestRequest = Schema.Struct({ agent: AgentName })

/** May the agent create proposals now? */
export const EligibilityQuery = Schema.Struct({ agent: AgentName })

/** An agent's XP, level and test record. */
export const AgentQuery = Schema.Struct({ agent: AgentName })

export const accepts = {
  status: StatusRequest,
  "custody.test.request": TestRequest,
  "custody.eligibility.query": EligibilityQuery,
  "custody.agent.query": AgentQuery,
}

export const emits = {
  "custody.work.refused": WorkRefused,
}
