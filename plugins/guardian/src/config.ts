// Guardian's config, decoded once when the plugin loads (from LVLUP_PLUGIN_GUARDIAN_CONFIG); every field
// has a default so the plugin starts with no setup.
import { Schema } from "lvlup/sdk"

export const GuardianConfig = Schema.Struct({
  /** Seconds between scheduled workspace scans (the seed's GUARDIAN_SCAN_INTERVAL). */
  scanIntervalSeconds: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), { default: () => 900 }),
})
export type GuardianConfig = typeof GuardianConfig.Type
