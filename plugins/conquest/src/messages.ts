// Conquest's messages: what it accepts (performance benchmarks, KPI reports, status) and what it
// publishes on its topic.
import { Schema } from "lvlup/sdk"

/** Asks for the actor's state and counters; every plugin accepts it. */
export const Status = Schema.Struct({})

/** Benchmark a workspace, or a proposal against the workspace it changes (its performance check). */
export const BenchmarkRequest = Schema.Struct({
  workspace: Schema.NonEmptyTrimmedString,
  proposalId: Schema.optional(Schema.NonEmptyTrimmedString),
  iterations: Schema.optional(Schema.Int.pipe(Schema.positive())),
})

/** Report key performance indicators: the named ones, or all when `kpis` is absent. */
export const KpiRequest = Schema.Struct({
  kpis: Schema.optional(Schema.Array(Schema.NonEmptyTrimmedString)),
})

/** Published when a request is refused, so that a `tell` (which gets no reply) is not refused unseen. */
export const WorkRefused = Schema.Struct({
  messageType: Schema.String,
  area: Schema.String,
  issue: Schema.Int,
  reason: Schema.String,
})

export const accepts = {
  status: Status,
  "conquest.benchmark.request": BenchmarkRequest,
  "conquest.kpi.request": KpiRequest,
}

export const emits = {
  "conquest.work.refused": WorkRefused,
}
