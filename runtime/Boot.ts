// Start-up in one place: host the loaded plugins, each with its config decoded from the environment,
// recovering each from its snapshot and journal when the system has persistence, then start the
// scheduler on the started plugins' schedules when there is storage. Every plugin that cannot start is
// reported; the rest run. A schedule's interval variable with a wrong value stops the whole start.
import { ActorSystem } from "./ActorSystem.js"
import type { ActorSystemOptions } from "./ActorSystem.js"
import type { MigrationSet } from "./persistence/Migrations.js"
import type { Persistence } from "./Persistence.js"
import { pluginConfigVariable } from "./PluginLoader.js"
import type { LoadReport, LoadedPlugin } from "./PluginLoader.js"
import { PluginLoadError, describeCause } from "./RuntimeError.js"
import { resolveSchedules } from "./Schedule.js"
import { Scheduler } from "./Scheduler.js"
import type { ScheduleStore, SchedulerOptions } from "./Scheduler.js"

export interface BootOptions extends ActorSystemOptions {
  readonly plugins: LoadReport
  readonly env?: Readonly<Record<string, string | undefined>>
  /**
   * The opened storage (a `Storage`): the system's persistence (unless `persistence` is given) and the
   * table the scheduler keeps the plugins' schedules in. Without it, schedules do not run.
   */
  readonly storage?: ScheduleStore & { readonly persistence: Persistence }
  /** Timing of the scheduler (its clock and log are the system's). */
  readonly scheduler?: Omit<SchedulerOptions, "clock" | "log" | "plugins">
}

export interface BootReport {
  readonly system: ActorSystem
  readonly started: ReadonlyArray<string>
  readonly errors: ReadonlyArray<PluginLoadError>
  /** Firing the started plugins' schedules; stop it before the system shuts down. Null without storage. */
  readonly scheduler: Scheduler | null
}

/** The plugins' own migrations, one namespace each. */
export const migrationSetsOf = (loaded: ReadonlyArray<LoadedPlugin>): MigrationSet[] =>
  loaded
    .filter(({ plugin }) => (plugin.migrations ?? []).length > 0)
    .map(({ plugin }) => ({ namespace: plugin.name, migrations: plugin.migrations ?? [] }))

const configOf = (loaded: LoadedPlugin, env: Readonly<Record<string, string | undefined>>): unknown => {
  const variable = pluginConfigVariable(loaded.plugin.name)
  const raw = env[variable]
  if (raw === undefined || raw === "") return {}
  try {
    return JSON.parse(raw)
  } catch (error) {
    throw new PluginLoadError({
      code: "PLUGIN_BAD_CONFIG",
      plugin: loaded.plugin.name,
      path: loaded.path,
      reason: `${variable} is not valid JSON: ${describeCause(error)}`,
    })
  }
}

/**
 * Hosts the plugins and starts the scheduler. Throws `InvalidScheduleVariable` (before hosting anything)
 * when an environment variable overriding a schedule's interval holds a wrong value.
 */
export const boot = async (options: BootOptions): Promise<BootReport> => {
  const env = options.env ?? process.env
  const schedules = new Map(
    options.plugins.loaded.map(({ plugin }) => [plugin.name, resolveSchedules(plugin, env)]),
  )
  const system = new ActorSystem({
    ...options,
    persistence: options.persistence ?? options.storage?.persistence,
    startPaused: true,
  })
  const errors = [...options.plugins.errors]
  const started: string[] = []
  for (const loaded of options.plugins.loaded) {
    try {
      await system.recover(loaded.plugin, { config: configOf(loaded, env), path: loaded.path })
      started.push(loaded.plugin.name)
    } catch (error) {
      errors.push(
        error instanceof PluginLoadError
          ? error
          : new PluginLoadError({
              code: "PLUGIN_START_FAILED",
              plugin: loaded.plugin.name,
              path: loaded.path,
              reason: describeCause(error),
            }),
      )
    }
  }
  system.resume()
  let scheduler: Scheduler | null = null
  if (options.storage !== undefined) {
    scheduler = new Scheduler(
      system,
      options.storage,
      started.flatMap((name) => schedules.get(name) ?? []),
      {
        ...options.scheduler,
        ...(options.clock ? { clock: options.clock } : {}),
        ...(options.log ? { log: options.log } : {}),
        plugins: started,
      },
    )
    try {
      await scheduler.start()
    } catch (error) {
      await system.shutdown({ timeoutMs: 1000 })
      throw error
    }
  }
  return { system, started, errors, scheduler }
}
