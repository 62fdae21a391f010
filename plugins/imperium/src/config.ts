// Imperium's config, decoded once when the plugin loads (from LVLUP_PLUGIN_IMPERIUM_CONFIG); every field
// has a default so the plugin starts with no setup.
import { Schema } from "lvlup/sdk"

export const ImperiumConfig = Schema.Struct({
  /** Seconds between scheduled learning cycles (the seed's IMPERIUM_LEARNING_INTERVAL). */
  learningIntervalSeconds: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), { default: () => 1800 }),
})
export type ImperiumConfig = typeof ImperiumConfig.Type
