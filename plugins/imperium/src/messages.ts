// Imperium's messages: what it accepts (starting a learning cycle, asking about cycles, status) and what
// it publishes on its topic.
import { Schema, StatusRequest, WorkRefused } from "lvlup/sdk"

/** Start a learning cycle: by the schedule, or by hand (the default, for API callers). */
export const CycleStart = Schema.Struct({
  trigger: Schema.optionalWith(Schema.Literal("schedule", "manual"), { default: () => "manual" as const }),
})

/** Ask about a learning cycle: the one named, or the latest when `cycleId` is absent. */
export const CycleQuery = Schema.Struct({ cycleId: Schema.optional(Schema.NonEmptyTrimmedString) })

export const accepts = {
  status: StatusRequest,
  "imperium.cycle.start": CycleStart,
  "imperium.cycle.query": CycleQuery,
}

export const emits = {
  "imperium.work.refused": WorkRefused,
}
