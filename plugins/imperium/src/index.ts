// The imperium plugin's manifest: the orchestrator of the agents' learning cycle.
import { definePlugin, Supervision } from "lvlup/sdk"
import { machine } from "./machine.js"
import { accepts, emits } from "./messages.js"

// Its state is small and its work restartable, so a crash restarts it from its last snapshot, with backoff.
const supervision = Supervision.restartWithBackoff({ min: "200 millis", max: "30 seconds", jitter: 0.2 })

export default definePlugin({
  name: "imperium",
  version: "0.1.0",
  description: "Orchestrates the learning cycle: distributes work to the agents, collects, learns, proposes",
  machine,
  accepts,
  emits,
  // No config: the scheduler reads the interval from IMPERIUM_LEARNING_INTERVAL, in seconds.
  // The seed's IMPERIUM_LEARNING_INTERVAL. A cycle missed while the process was down is run once at
  // start: the agents' work since the last cycle is still waiting to be learned from.
  schedules: [
    {
      name: "learning",
      every: { seconds: 1800, variable: "IMPERIUM_LEARNING_INTERVAL" },
      message: { type: "imperium.cycle.start", payload: { trigger: "schedule" } },
      missed: "run-once",
    },
  ],
  supervision: supervision.withLimit(5, "1 minute"),
})
