// The greeter plugin's manifest, the default export the runtime loads: its name, its machines, the
// messages it accepts and publishes, its config, its children and how the runtime supervises them.
import { Supervision, definePlugin } from "lvlup/sdk"
import { GreeterConfig } from "./config.js"
import { courierMachine, greeterMachine } from "./machine.js"
import { accepts, courierAccepts, emits } from "./messages.js"

export default definePlugin({
  name: "greeter",
  version: "1.0.0",
  description: "Greets by name, counts greetings, and sends greeting cards through a courier",
  machine: greeterMachine,
  accepts,
  emits,
  config: GreeterConfig,
  mailboxCapacity: 64,
  supervision: Supervision.restartWithBackoff({
    min: "500 millis",
    max: "10 seconds",
    jitter: 0.2,
  }).withLimit(3, "1 minute"),
  children: {
    // A crashed courier is not retried: a restart would send the card twice. The asker then hears of
    // it from its own timeout, and `greeter.delivery.cancel` frees the greeter for the next card.
    courier: { machine: courierMachine, accepts: courierAccepts, supervision: Supervision.stop() },
  },
})
