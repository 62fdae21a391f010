// Custody's config, decoded once when the plugin loads (from LVLUP_PLUGIN_CUSTODY_CONFIG); every field
// has a default so the plugin starts with no setup.
import { Schema } from "lvlup/sdk"

export const CustodyConfig = Schema.Struct({
  /**
   * Whether an agent may create proposals while custody tests do not exist yet (issue #7): the gate is
   * an operator's choice, stated as such in every eligibility answer.
   */
  eligibilityDefault: Schema.optionalWith(Schema.Literal("allow", "deny"), {
    default: () => "allow" as const,
  }),
})
export type CustodyConfig = typeof CustodyConfig.Type
