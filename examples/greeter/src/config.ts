// The greeter's configuration, decoded from LVLUP_PLUGIN_GREETER_CONFIG (JSON). Every field has a
// default, so the plugin starts with no configuration at all.
import { Schema } from "lvlup/sdk"

export const defaults = {
  salutation: "Hello",
  mailroom: "mailroom",
  deliveryTimeoutMs: 2000,
} as const

export const GreeterConfig = Schema.Struct({
  /** The word before the name: "Hello, Ada!". */
  salutation: Schema.optionalWith(Schema.NonEmptyTrimmedString, { default: () => defaults.salutation }),
  /** Address of the agent that delivers cards. */
  mailroom: Schema.optionalWith(Schema.NonEmptyTrimmedString, { default: () => defaults.mailroom }),
  /** How long a courier waits for the mailroom before reporting the delivery failed. */
  deliveryTimeoutMs: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), {
    default: () => defaults.deliveryTimeoutMs,
  }),
})
export type GreeterConfig = typeof GreeterConfig.Type
