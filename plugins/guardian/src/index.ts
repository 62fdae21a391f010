// The guardian plugin's manifest: security scans of a workspace and security review of proposal diffs.
import { definePlugin, Supervision } from "lvlup/sdk"
import { machine } from "./machine.js"
import { accepts, emits } from "./messages.js"

// Its state is small and its work restartable, so a crash restarts it from its last snapshot, with backoff.
const supervision = Supervision.restartWithBackoff({ min: "200 millis", max: "30 seconds", jitter: 0.2 })

export default definePlugin({
  name: "guardian",
  version: "0.1.0",
  description: "Security scans of the workspace and security review of proposal diffs",
  machine,
  accepts,
  emits,
  // No config: the scheduler reads the interval from GUARDIAN_SCAN_INTERVAL, in seconds.
  // The seed's GUARDIAN_SCAN_INTERVAL. No workspace is configured yet: "default" stands for the
  // configured (or demo) repository, whichever the agents' work resolves it to. A scan missed while the
  // process was down is still worth one scan at start: the code may have changed meanwhile.
  schedules: [
    {
      name: "scan",
      every: { seconds: 900, variable: "GUARDIAN_SCAN_INTERVAL" },
      message: { type: "guardian.scan.request", payload: { workspace: "default" } },
      missed: "run-once",
    },
  ],
  supervision: supervision.withLimit(5, "1 minute"),
})
