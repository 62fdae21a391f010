// The conquest plugin's manifest: performance benchmarks, statistics over them, and KPIs.
import { definePlugin, Supervision } from "lvlup/sdk"
import { machine } from "./machine.js"
import { accepts, emits } from "./messages.js"

// Its state is small and its work restartable, so a crash restarts it from its last snapshot, with backoff.
const supervision = Supervision.restartWithBackoff({ min: "200 millis", max: "30 seconds", jitter: 0.2 })

export default definePlugin({
  name: "conquest",
  version: "0.1.0",
  description: "Performance benchmarks, statistics and KPIs; the performance check of proposals",
  machine,
  accepts,
  emits,
  // No config: the scheduler reads the interval from CONQUEST_ANALYSIS_INTERVAL, in seconds.
  // The seed's CONQUEST_ANALYSIS_INTERVAL: a benchmark of the workspace. No workspace is configured yet:
  // "default" stands for the configured (or demo) repository, whichever the agents' work resolves it
  // to. An analysis missed while the process was down is run once at start.
  schedules: [
    {
      name: "analysis",
      every: { seconds: 1200, variable: "CONQUEST_ANALYSIS_INTERVAL" },
      message: { type: "conquest.benchmark.request", payload: { workspace: "default" } },
      missed: "run-once",
    },
  ],
  supervision: supervision.withLimit(5, "1 minute"),
})
