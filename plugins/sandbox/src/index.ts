// The sandbox plugin's manifest: runs untrusted code in isolation and reports what it did.
import { definePlugin, Supervision } from "lvlup/sdk"
import { machine } from "./machine.js"
import { accepts, emits } from "./messages.js"

// A sandbox that keeps crashing is most likely being crashed by what it runs: back off longer and
// escalate to `failed` sooner than the other agents, for an operator to look.
const supervision = Supervision.restartWithBackoff({ min: "1 second", max: "1 minute", jitter: 0.2 })

export default definePlugin({
  name: "sandbox",
  version: "0.1.0",
  description: "Runs untrusted code in isolation: experiments, proposal tests and custody containment tests",
  machine,
  accepts,
  emits,
  // No config: the scheduler reads the interval from SANDBOX_EXPERIMENT_INTERVAL, in seconds.
  // The seed's SANDBOX_EXPERIMENT_INTERVAL. There is no experiment message yet (issue #6 builds runs):
  // the schedule sends a run request with an empty program, to be replaced by the experiment it starts.
  // Experiments missed while the process was down are skipped: one now would not stand for them.
  schedules: [
    {
      name: "experiment",
      every: { seconds: 2700, variable: "SANDBOX_EXPERIMENT_INTERVAL" },
      message: {
        type: "sandbox.run.request",
        payload: { language: "javascript", source: "// scheduled sandbox experiment" },
      },
      missed: "skip",
    },
  ],
  supervision: supervision.withLimit(3, "5 minutes"),
})
