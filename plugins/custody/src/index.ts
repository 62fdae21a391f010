// The custody plugin's manifest: tests agents, keeps their XP and levels, and gates who may propose.
import { definePlugin, Supervision } from "lvlup/sdk"
import { CustodyConfig } from "./config.js"
import { machine } from "./machine.js"
import { accepts, emits } from "./messages.js"

// Its state is small and its work restartable, so a crash restarts it from its last snapshot, with backoff.
const supervision = Supervision.restartWithBackoff({ min: "200 millis", max: "30 seconds", jitter: 0.2 })

export default definePlugin({
  name: "custody",
  version: "0.1.0",
  description: "Custody protocol: tests agents, awards XP and levels, and decides who may create proposals",
  machine,
  accepts,
  emits,
  config: CustodyConfig,
  supervision: supervision.withLimit(5, "1 minute"),
})
