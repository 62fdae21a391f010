// Conquest's config, decoded once when the plugin loads (from LVLUP_PLUGIN_CONQUEST_CONFIG); every field
// has a default so the plugin starts with no setup.
import { Schema } from "lvlup/sdk"

export const ConquestConfig = Schema.Struct({
  /** Seconds between scheduled performance analyses (the seed's CONQUEST_ANALYSIS_INTERVAL). */
  analysisIntervalSeconds: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), { default: () => 1200 }),
})
export type ConquestConfig = typeof ConquestConfig.Type
