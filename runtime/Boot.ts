// Start-up in one place: load the plugins found on disk, decode each one's config from the environment,
// host them in an actor system. Every plugin that cannot load or start is reported; the rest run.
import { ActorSystem } from "./ActorSystem.js"
import type { ActorSystemOptions } from "./ActorSystem.js"
import { loadPlugins, pluginConfigVariable } from "./PluginLoader.js"
import { PluginLoadError, describeCause } from "./RuntimeError.js"

export interface BootOptions extends ActorSystemOptions {
  readonly pluginRoots: ReadonlyArray<string>
  readonly pluginLoadTimeoutMs?: number
  readonly env?: Readonly<Record<string, string | undefined>>
}

export interface BootReport {
  readonly system: ActorSystem
  readonly started: ReadonlyArray<string>
  readonly errors: ReadonlyArray<PluginLoadError>
}

export const boot = async (options: BootOptions): Promise<BootReport> => {
  const env = options.env ?? process.env
  const system = new ActorSystem(options)
  const report = await loadPlugins(options.pluginRoots, { timeoutMs: options.pluginLoadTimeoutMs })
  const errors = [...report.errors]
  const started: string[] = []
  for (const { plugin, path } of report.loaded) {
    const variable = pluginConfigVariable(plugin.name)
    try {
      let config: unknown = {}
      const raw = env[variable]
      if (raw !== undefined && raw !== "")
        try {
          config = JSON.parse(raw)
        } catch (error) {
          throw new PluginLoadError({
            code: "PLUGIN_BAD_CONFIG",
            plugin: plugin.name,
            path,
            reason: `${variable} is not valid JSON: ${describeCause(error)}`,
          })
        }
      system.host(plugin, { config, path })
      started.push(plugin.name)
    } catch (error) {
      errors.push(
        error instanceof PluginLoadError
          ? error
          : new PluginLoadError({
              code: "PLUGIN_START_FAILED",
              plugin: plugin.name,
              path,
              reason: describeCause(error),
            }),
      )
    }
  }
  return { system, started, errors }
}
