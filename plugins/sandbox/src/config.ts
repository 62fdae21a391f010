// Sandbox's config, decoded once when the plugin loads (from LVLUP_PLUGIN_SANDBOX_CONFIG); every field
// has a default so the plugin starts with no setup.
import { Schema } from "lvlup/sdk"

export const SandboxConfig = Schema.Struct({
  /** Seconds between scheduled sandbox experiments (the seed's SANDBOX_EXPERIMENT_INTERVAL). */
  experimentIntervalSeconds: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), { default: () => 2700 }),
})
export type SandboxConfig = typeof SandboxConfig.Type
