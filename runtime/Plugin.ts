// The plugin manifest: what a plugin package declares and the runtime hosts. `definePlugin` checks the
// shape once at load time; everything in it is data (schemas, a machine, a strategy), never live objects.
import { Schema } from "effect"
import type { AnyStateMachine } from "xstate"
import type { Envelope } from "./Envelope.js"
import type { Migration } from "./persistence/Migrations.js"
import { scheduleProblems } from "./Schedule.js"
import type { MissedRunPolicy } from "./Schedule.js"
import type { SupervisorStrategy } from "./Supervision.js"

/** Payload schemas keyed by message type. Schemas must need no services to decode. */
export type MessageSchemas = { readonly [type: string]: Schema.Schema.AnyNoContext }

/** One kind of actor a plugin hosts: its machine, the messages it accepts, how it is supervised. */
export interface ActorDefinition {
  readonly machine: AnyStateMachine
  readonly accepts: MessageSchemas
  readonly supervision?: SupervisorStrategy
  /** Bounded mailbox size; the runtime default applies when absent. */
  readonly mailboxCapacity?: number
  /**
   * `durable` (the default): messages to the actor are journaled before they are acknowledged and its
   * snapshots are kept, so it survives a crash of the process. `transient`: in memory only (a one-off
   * run whose loss is acceptable).
   */
  readonly persistence?: "durable" | "transient"
}

interface ScheduleBase {
  /** Unique within the plugin (lower-case, digits, dashes); the row's key with the plugin's name. */
  readonly name: string
  /**
   * Sent to the plugin's root actor at every run, from `scheduler`: a type the root accepts, with a
   * payload its schema takes as it is (checked when the plugin loads).
   */
  readonly message: { readonly type: string; readonly payload?: unknown }
  /**
   * What a start does about runs that fell due while the process was down (or the database away):
   * `run-once` sends one run for all of them, `skip` sends none. Never one run per missed tick.
   */
  readonly missed: MissedRunPolicy
}

/** Runs every `seconds`; `variable` names an environment variable that overrides it (whole seconds). */
export interface IntervalSchedule extends ScheduleBase {
  readonly every: { readonly seconds: number; readonly variable?: string }
  readonly cron?: undefined
  readonly timezone?: undefined
}

/** Runs at the ticks of a cron expression (5 fields, or 6 with seconds), in `timezone` (default UTC). */
export interface CronSchedule extends ScheduleBase {
  readonly cron: string
  readonly timezone?: string
  readonly every?: undefined
}

/** A durable schedule: its runs are kept in the database, so a restart neither loses nor doubles one. */
export type ScheduleDeclaration = IntervalSchedule | CronSchedule

export interface PluginManifest<Config = unknown> extends ActorDefinition {
  /** Address of the plugin's root actor and prefix of its children's: lower-case, digits, dashes. */
  readonly name: string
  readonly version: string
  readonly description?: string
  /** Event types the plugin publishes, with their payload schemas. */
  readonly emits?: MessageSchemas
  /** Decodes the plugin's config (from `LVLUP_PLUGIN_<NAME>_CONFIG` JSON); give every field a default. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any encoded form; Schema is invariant in it
  readonly config?: Schema.Schema<Config, any, never>
  /** Topics whose events are delivered to the root actor's mailbox (their types must be accepted). */
  readonly subscribes?: ReadonlyArray<string>
  /**
   * The plugin's own schema steps, run at start in the database under the plugin's name (versioned,
   * each once, in a transaction). Name tables after the plugin (`<name>_…`).
   */
  readonly migrations?: ReadonlyArray<Migration>
  /** Kinds of child actor the root may spawn at `<name>/<child>`. */
  readonly children?: { readonly [kind: string]: ActorDefinition }
  /** Messages the runtime sends the root actor on a schedule (intervals or cron), durably. */
  readonly schedules?: ReadonlyArray<ScheduleDeclaration>
}

/**
 * Messages the runtime sends a parent about its children, when the parent accepts them: spread
 * `childMessages` into the parent's `accepts` to be told that a child finished (reached a final state,
 * with its output) or failed (escalated after its restarts), instead of waiting for a timeout.
 */
export const childMessages = {
  "lvlup.child.done": Schema.Struct({ address: Schema.String, name: Schema.String, output: Schema.Unknown }),
  "lvlup.child.failed": Schema.Struct({ address: Schema.String, name: Schema.String, reason: Schema.String }),
}

/** What every hosted machine receives as `input`. */
export interface ActorInput<Config = unknown> {
  readonly address: string
  readonly plugin: string
  readonly config: Config
  /** The parent's address, for a child actor. */
  readonly parent: string | null
  /** Whatever the parent passed when it spawned this child. */
  readonly input: unknown
}

const PluginBrand = Symbol.for("lvlup.plugin")

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a plugin of any config: Schema is invariant
export type Plugin<Config = any> = PluginManifest<Config> & { readonly [PluginBrand]: true }

export const NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/

/** The default export of a plugin's entry module. */
export const definePlugin = <Config>(manifest: PluginManifest<Config>): Plugin<Config> =>
  Object.freeze({ ...manifest, [PluginBrand]: true as const })

export const isPlugin = (value: unknown): value is Plugin =>
  typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[PluginBrand] === true

/** Problems with a manifest's shape, each a sentence; empty when it is sound. */
export const manifestProblems = (value: Plugin): string[] => {
  const problems: string[] = []
  if (typeof value.name !== "string" || !NAME_PATTERN.test(value.name))
    problems.push(`name must match ${String(NAME_PATTERN)}`)
  if (typeof value.version !== "string" || value.version.length === 0) problems.push("version is required")
  const checkDefinition = (definition: ActorDefinition, where: string) => {
    const machine = definition.machine as unknown as { transition?: unknown; getInitialSnapshot?: unknown }
    if (typeof machine?.transition !== "function" || typeof machine.getInitialSnapshot !== "function")
      problems.push(`${where}machine must be an XState v5 machine`)
    if (typeof definition.accepts !== "object" || definition.accepts === null)
      problems.push(`${where}accepts must map message types to schemas`)
    else
      for (const [type, schema] of Object.entries(definition.accepts))
        if (!Schema.isSchema(schema)) problems.push(`${where}accepts["${type}"] is not an Effect Schema`)
    if (
      definition.mailboxCapacity !== undefined &&
      !(Number.isInteger(definition.mailboxCapacity) && definition.mailboxCapacity > 0)
    )
      problems.push(`${where}mailboxCapacity must be a positive integer`)
  }
  checkDefinition(value, "")
  for (const [type, schema] of Object.entries(value.emits ?? {}))
    if (!Schema.isSchema(schema)) problems.push(`emits["${type}"] is not an Effect Schema`)
  if (value.config !== undefined && !Schema.isSchema(value.config))
    problems.push("config is not an Effect Schema")
  for (const [kind, child] of Object.entries(value.children ?? {})) {
    if (!NAME_PATTERN.test(kind)) problems.push(`child kind "${kind}" must match ${String(NAME_PATTERN)}`)
    checkDefinition(child, `children.${kind}.`)
  }
  problems.push(...scheduleProblems(value))
  return problems
}

/** The machine events for a map of accepted messages: `{ type, payload, envelope }` per message type. */
export type MessageEvents<Accepts extends MessageSchemas> = {
  [K in keyof Accepts & string]: {
    readonly type: K
    readonly payload: Schema.Schema.Type<Accepts[K]>
    readonly envelope: Envelope<Schema.Schema.Type<Accepts[K]>>
  }
}[keyof Accepts & string]
