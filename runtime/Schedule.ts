// A plugin's schedules as values: checking a declaration (interval or cron), resolving its interval from
// the environment, and the time arithmetic of a run (when it is due, which tick it settles, when the next
// falls due), kept pure so that the missed-run policy can be tested without a clock or a database.
import { Cron } from "croner"
import { Either, ParseResult, Schema } from "effect"
import type { Plugin, ScheduleDeclaration } from "./Plugin.js"
import { InvalidScheduleVariable, describeCause } from "./RuntimeError.js"

export type MissedRunPolicy = "run-once" | "skip"

export const MISSED_RUN_POLICIES: ReadonlyArray<MissedRunPolicy> = ["run-once", "skip"]

/** Names a schedule within its plugin; part of every run's key, so never a colon. */
export const SCHEDULE_NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/

/** An environment variable that overrides an interval: upper-case letters, digits, underscores. */
export const VARIABLE_PATTERN = /^[A-Z][A-Z0-9_]{0,127}$/

/** The longest interval accepted (about 31 years): longer ones are a unit mistake. */
export const MAX_INTERVAL_SECONDS = 1_000_000_000

/** When a schedule falls due: a fixed interval, or the ticks of a cron expression. */
export type Timing =
  { readonly _tag: "Every"; readonly ms: number } | { readonly _tag: "Cron"; readonly cron: Cron }

/** A declaration with its interval read from the environment: what the scheduler runs. */
export interface ResolvedSchedule {
  readonly plugin: string
  readonly name: string
  /** The timing as text (`every 900s`, `cron 0 3 * * * tz=Europe/Paris`): a change recomputes the next run. */
  readonly spec: string
  readonly timing: Timing
  readonly message: { readonly type: string; readonly payload?: unknown }
  readonly missed: MissedRunPolicy
}

/** What a pass of the scheduler does with a schedule whose `next_run_at` has come. */
export interface RunPlan {
  /** The tick this pass settles: the last one at or before now (earlier ones due since are missed). */
  readonly due: number
  /** The first tick after now: the schedule's next `next_run_at`. */
  readonly next: number
  /** `due` was reached within the grace period: the scheduler was up when it fell due. */
  readonly onTime: boolean
  /** Send the schedule's message for `due`: it is on time, or it is the one run of a `run-once` catch-up. */
  readonly fire: boolean
}

/**
 * Croner's options for every pattern: standard 5 fields, or 6 with seconds; read in UTC unless a timezone
 * is declared, so that a schedule does not move with the host's local time.
 */
const parseCron = (pattern: string, timezone: string | undefined): Cron =>
  new Cron(pattern, { mode: "5-or-6-parts", timezone: timezone ?? "UTC" })

/** Parses a cron expression and finds its next tick; the library's message when it cannot. */
export const checkCron = (pattern: string, timezone?: string): Either.Either<Cron, string> => {
  try {
    const cron = parseCron(pattern, timezone)
    // An unknown timezone surfaces only when a date is computed, and some patterns never match.
    if (cron.nextRun(new Date()) === null) return Either.left("the expression never falls due")
    return Either.right(cron)
  } catch (error) {
    return Either.left(describeCause(error))
  }
}

const specOf = (declaration: ScheduleDeclaration, seconds: number | null): string =>
  seconds !== null
    ? `every ${seconds}s`
    : `cron ${declaration.cron ?? ""}${declaration.timezone === undefined ? "" : ` tz=${declaration.timezone}`}`

/**
 * Problems with a plugin's `schedules`, each a sentence (`manifestProblems` reports them as
 * PLUGIN_BAD_MANIFEST). The message must be one the plugin's root accepts, with a payload its schema
 * takes as it is.
 */
export const scheduleProblems = (plugin: Plugin): string[] => {
  const problems: string[] = []
  const schedules: unknown = plugin.schedules
  if (schedules === undefined) return problems
  if (!Array.isArray(schedules)) return ["schedules must be an array of schedule declarations"]
  const seen = new Set<string>()
  for (const [index, value] of (schedules as ReadonlyArray<ScheduleDeclaration>).entries()) {
    const declaration = value as Partial<ScheduleDeclaration> | null
    if (typeof declaration !== "object" || declaration === null) {
      problems.push(`schedules[${index}] must be an object`)
      continue
    }
    const name = declaration.name
    const where = typeof name === "string" ? `schedule "${name}"` : `schedules[${index}]`
    if (typeof name !== "string" || !SCHEDULE_NAME_PATTERN.test(name))
      problems.push(`${where}: name must match ${String(SCHEDULE_NAME_PATTERN)}`)
    else if (seen.has(name)) problems.push(`${where} is declared twice`)
    else seen.add(name)
    const { every, cron } = declaration
    if ((every === undefined) === (cron === undefined))
      problems.push(`${where}: declare exactly one of every and cron`)
    if (every !== undefined) {
      const seconds = (every as { seconds?: unknown }).seconds
      if (typeof seconds !== "number" || !Number.isInteger(seconds) || seconds <= 0)
        problems.push(`${where}: every.seconds must be a positive whole number of seconds`)
      else if (seconds > MAX_INTERVAL_SECONDS)
        problems.push(`${where}: every.seconds must be at most ${MAX_INTERVAL_SECONDS}`)
      const variable = (every as { variable?: unknown }).variable
      if (variable !== undefined && (typeof variable !== "string" || !VARIABLE_PATTERN.test(variable)))
        problems.push(
          `${where}: every.variable must be an environment variable name like GUARDIAN_SCAN_INTERVAL`,
        )
      if (declaration.timezone !== undefined) problems.push(`${where}: timezone applies to cron only`)
    }
    if (cron !== undefined) {
      if (typeof cron !== "string") problems.push(`${where}: cron must be a cron expression`)
      else if (declaration.timezone !== undefined && typeof declaration.timezone !== "string")
        problems.push(`${where}: timezone must be an IANA name such as "Europe/Paris"`)
      else {
        const checked = checkCron(cron, declaration.timezone)
        if (Either.isLeft(checked)) problems.push(`${where}: cron "${cron}" is invalid: ${checked.left}`)
      }
    }
    if (!MISSED_RUN_POLICIES.includes(declaration.missed as MissedRunPolicy))
      problems.push(`${where}: missed must be "run-once" or "skip"`)
    problems.push(...messageProblems(plugin, where, declaration.message))
  }
  if (problems.length === 0 && schedules.length > 0 && plugin.persistence === "transient")
    problems.push("schedules need a durable root actor: a transient one keeps no journal to fire them into")
  return problems
}

const messageProblems = (plugin: Plugin, where: string, message: unknown): string[] => {
  if (
    typeof message !== "object" ||
    message === null ||
    typeof (message as { type?: unknown }).type !== "string"
  )
    return [`${where}: message must be { type, payload? }`]
  const { type, payload } = message as { type: string; payload?: unknown }
  const schema =
    typeof plugin.accepts === "object" && plugin.accepts !== null ? plugin.accepts[type] : undefined
  if (schema === undefined) return [`${where}: message type "${type}" is not one the plugin accepts`]
  if (!Schema.isSchema(schema)) return []
  // The same exact check the runtime applies when the message is sent: an undeclared property is refused.
  const decoded = ParseResult.decodeUnknownEither(schema, { onExcessProperty: "error", errors: "all" })(
    payload === undefined ? {} : payload,
  )
  return Either.isLeft(decoded)
    ? [
        `${where}: payload is refused by "${type}": ${ParseResult.TreeFormatter.formatIssueSync(decoded.left)}`,
      ]
    : []
}

/**
 * The plugin's schedules with their intervals read from `env` (a declared variable, in whole seconds,
 * overrides the default). Throws `InvalidScheduleVariable`, naming the variable, for a wrong value.
 * Expects a manifest that passed `manifestProblems`.
 */
export const resolveSchedules = (
  plugin: Plugin,
  env: Readonly<Record<string, string | undefined>>,
): ResolvedSchedule[] =>
  (plugin.schedules ?? []).map((declaration): ResolvedSchedule => {
    const base = {
      plugin: plugin.name,
      name: declaration.name,
      message: declaration.message,
      missed: declaration.missed,
    }
    if (declaration.every === undefined) {
      const cron = parseCron(declaration.cron, declaration.timezone)
      return { ...base, spec: specOf(declaration, null), timing: { _tag: "Cron", cron } }
    }
    const seconds = intervalSeconds(plugin.name, declaration.name, declaration.every, env)
    return { ...base, spec: specOf(declaration, seconds), timing: { _tag: "Every", ms: seconds * 1000 } }
  })

const intervalSeconds = (
  plugin: string,
  schedule: string,
  every: { readonly seconds: number; readonly variable?: string },
  env: Readonly<Record<string, string | undefined>>,
): number => {
  const variable = every.variable
  const raw = variable === undefined ? undefined : env[variable]
  if (variable === undefined || raw === undefined || raw.trim() === "") return every.seconds
  const text = raw.trim()
  const seconds = Number(text)
  if (!/^\d+$/.test(text) || seconds <= 0 || seconds > MAX_INTERVAL_SECONDS)
    throw new InvalidScheduleVariable({
      variable,
      value: raw,
      plugin,
      schedule,
      reason: `must be a whole number of seconds from 1 to ${MAX_INTERVAL_SECONDS} (default ${every.seconds})`,
    })
  return seconds
}

const cronTick = (cron: Cron, after: number): number => {
  const next = cron.nextRun(new Date(after))
  // Checked at load time: a 5- or 6-field pattern that falls due once falls due again.
  if (next === null)
    throw new Error(`cron "${cron.getPattern() ?? ""}" has no tick after ${new Date(after).toISOString()}`)
  return next.getTime()
}

/** The first tick of a schedule declared (or re-declared) at `now`: one interval on, or the next cron tick. */
export const firstRun = (schedule: ResolvedSchedule, now: number): number =>
  schedule.timing._tag === "Every" ? now + schedule.timing.ms : cronTick(schedule.timing.cron, now)

/** The last tick at or before `now`, counting from `nextRunAt` (itself a tick at or before `now`). */
const lastTick = (schedule: ResolvedSchedule, nextRunAt: number, now: number): number => {
  const timing = schedule.timing
  if (timing._tag === "Every") return nextRunAt + Math.floor((now - nextRunAt) / timing.ms) * timing.ms
  // Croner strips milliseconds and includes a tick earlier in the same second as its reference.
  const previous = timing.cron.previousRuns(1, new Date(now + 1))[0]?.getTime()
  return previous === undefined || previous < nextRunAt || previous > now ? nextRunAt : previous
}

/** The tick after `tick`. */
const tickAfter = (schedule: ResolvedSchedule, tick: number): number =>
  schedule.timing._tag === "Every" ? tick + schedule.timing.ms : cronTick(schedule.timing.cron, tick)

/**
 * The run a due schedule owes at `now`: it settles the last tick at or before now (`due`) and moves on to
 * the first tick after now, so that however long the process was down there is at most one run. `due`
 * fires when it is on time (no later than `missedAfterMs` past its time), or, when it is missed, if the
 * policy is `run-once`; `skip` lets it go. Ticks before `due` are missed and never fire.
 */
export const planRun = (
  schedule: ResolvedSchedule,
  nextRunAt: number,
  now: number,
  missedAfterMs: number,
): RunPlan => {
  let due = lastTick(schedule, nextRunAt, now)
  let next = tickAfter(schedule, due)
  // Only if the library's backward and forward searches disagree (around a DST change): walk forward.
  while (next <= now) {
    due = next
    next = tickAfter(schedule, next)
  }
  const onTime = now - due <= missedAfterMs
  return { due, next, onTime, fire: onTime || schedule.missed === "run-once" }
}

/**
 * The run's key, carried as its message's correlation id (so everything the run causes is traced to it)
 * and looked up in the journal to tell whether the run was already sent.
 */
export const runKey = (schedule: Pick<ResolvedSchedule, "plugin" | "name">, due: number): string =>
  `schedule:${schedule.plugin}:${schedule.name}:${new Date(due).toISOString()}`
