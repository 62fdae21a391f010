// Start-up in one place: host the loaded plugins, each with its config decoded from the environment,
// recovering each from its snapshot and journal when the system has persistence. Every plugin that
// cannot start is reported; the rest run.
import { ActorSystem } from "./ActorSystem.js"
import type { ActorSystemOptions } from "./ActorSystem.js"
import type { MigrationSet } from "./persistence/Migrations.js"
import { pluginConfigVariable } from "./PluginLoader.js"
import type { LoadReport, LoadedPlugin } from "./PluginLoader.js"
import { PluginLoadError, describeCause } from "./RuntimeError.js"

export interface BootOptions extends ActorSystemOptions {
  readonly plugins: LoadReport
  readonly env?: Readonly<Record<string, string | undefined>>
}

export interface BootReport {
  readonly system: ActorSystem
  readonly started: ReadonlyArray<string>
  readonly errors: ReadonlyArray<PluginLoadError>
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

export const boot = async (options: BootOptions): Promise<BootReport> => {
  const env = options.env ?? process.env
  const system = new ActorSystem({ ...options, startPaused: true })
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
  return { system, started, errors }
}
