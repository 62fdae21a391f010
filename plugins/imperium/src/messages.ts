// Imperium's messages: what it accepts (starting a learning cycle, asking about cycles, status) and what
// it publishes on its topic.
import { Schema } from "lvlup/sdk"

/** Asks for the actor's state and counters; every plugin accepts it. */
export const Status = Schema.Struct({})

/** Start a learning cycle: by the schedule, or by hand (the default, for API callers). */
export const CycleStart = Schema.Struct({
  trigger: Schema.optionalWith(Schema.Literal("schedule", "manual"), { default: () => "manual" as const }),
})

/** Ask about a learning cycle: the one named, or the latest when `cycleId` is absent. */
export const CycleQuery = Schema.Struct({ cycleId: Schema.optional(Schema.NonEmptyTrimmedString) })

/** Published when a request is refused, so that a `tell` (which gets no reply) is not refused unseen. */
export const WorkRefused = Schema.Struct({
  messageType: Schema.String,
  area: Schema.String,
  issue: Schema.Int,
  reason: Schema.String,
})

export const accepts = {
  status: Status,
  "imperium.cycle.start": CycleStart,
  "imperium.cycle.query": CycleQuery,
}

export const emits = {
  "imperium.work.refused": WorkRefused,
}
