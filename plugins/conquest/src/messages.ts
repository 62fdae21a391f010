// Conquest's messages: what it accepts (performance benchmarks, KPI reports, status) and what it
// publishes on its topic.
import { Schema, StatusRequest, WorkRefused } from "lvlup/sdk"

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

export const accepts = {
  status: StatusRequest,
  "conquest.benchmark.request": BenchmarkRequest,
  "conquest.kpi.request": KpiRequest,
}

export const emits = {
  "conquest.work.refused": WorkRefused,
}
