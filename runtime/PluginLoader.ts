// Finds plugin packages on disk and imports them: every folder under the given roots whose package.json
// has an "lvlup" field. Each failure is a coded PluginLoadError naming the plugin; one broken plugin
// never stops the others (Fastify/avvio's fail-fast per plugin, not per process).
import { readdir, readFile, stat } from "node:fs/promises"
import { basename, join, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import semver from "semver"
import { isPlugin, manifestProblems } from "./Plugin.js"
import type { Plugin } from "./Plugin.js"
import { PluginLoadError, describeCause } from "./RuntimeError.js"
import { RUNTIME_VERSION } from "./version.js"

export interface LoadedPlugin {
  readonly plugin: Plugin
  /** The plugin's folder. */
  readonly path: string
}

export interface LoadReport {
  readonly loaded: ReadonlyArray<LoadedPlugin>
  readonly errors: ReadonlyArray<PluginLoadError>
}

interface PackageJson {
  readonly name?: unknown
  readonly version?: unknown
  readonly lvlup?: { readonly runtime?: unknown; readonly entry?: unknown }
}

const ENTRY_CANDIDATES = [
  "src/index.ts",
  "src/index.js",
  "index.ts",
  "index.js",
  "src/index.mjs",
  "index.mjs",
]

const exists = async (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  )

const readPackageJson = async (dir: string): Promise<PackageJson | undefined> => {
  const text = await readFile(join(dir, "package.json"), "utf8").catch(() => undefined)
  if (text === undefined) return undefined
  return JSON.parse(text) as PackageJson
}

/**
 * Plugin folders under `roots`: a root that is itself a plugin folder counts as one, otherwise each of
 * its sub-folders holding a package.json with an "lvlup" field. Missing roots are skipped.
 */
export const discoverPluginDirs = async (roots: ReadonlyArray<string>): Promise<string[]> => {
  const found: string[] = []
  const isPluginDir = async (dir: string) =>
    (await readPackageJson(dir).catch(() => ({ lvlup: {} })))?.lvlup !== undefined
  for (const root of roots.map((r) => resolve(r))) {
    if (!(await exists(root))) continue
    if (await isPluginDir(root)) {
      found.push(root)
      continue
    }
    const entries = await readdir(root, { withFileTypes: true }).catch(() => [])
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name)))
      if (entry.isDirectory() && !entry.name.startsWith(".") && entry.name !== "node_modules") {
        const dir = join(root, entry.name)
        if (await isPluginDir(dir)) found.push(dir)
      }
  }
  return [...new Set(found)]
}

/** Imports and checks one plugin folder. */
export const loadPlugin = async (
  dir: string,
  options: { readonly timeoutMs?: number } = {},
): Promise<LoadedPlugin> => {
  let label = basename(dir)
  const fail = (code: PluginLoadError["code"], reason: string) =>
    new PluginLoadError({ code, plugin: label, path: dir, reason })
  let pkg: PackageJson | undefined
  try {
    pkg = await readPackageJson(dir)
  } catch (error) {
    throw fail("PLUGIN_BAD_PACKAGE", `package.json is not valid JSON: ${describeCause(error)}`)
  }
  if (pkg === undefined) throw fail("PLUGIN_NOT_FOUND", "no package.json in the folder")
  if (typeof pkg.name === "string") label = pkg.name
  const lvlup = pkg.lvlup
  if (typeof lvlup !== "object" || lvlup === null)
    throw fail("PLUGIN_BAD_PACKAGE", 'package.json needs an "lvlup" object')
  if (typeof lvlup.runtime !== "string" || semver.validRange(lvlup.runtime) === null)
    throw fail("PLUGIN_BAD_PACKAGE", 'package.json "lvlup.runtime" must be a semver range, e.g. "^0.1.0"')
  if (!semver.satisfies(RUNTIME_VERSION, lvlup.runtime, { includePrerelease: true }))
    throw fail(
      "PLUGIN_INCOMPATIBLE_RUNTIME",
      `needs runtime ${lvlup.runtime}, this runtime is ${RUNTIME_VERSION}`,
    )

  let entry: string | undefined
  if (lvlup.entry !== undefined) {
    if (typeof lvlup.entry !== "string") throw fail("PLUGIN_BAD_PACKAGE", '"lvlup.entry" must be a path')
    entry = join(dir, lvlup.entry)
    if (!(await exists(entry))) throw fail("PLUGIN_NO_ENTRY", `entry ${lvlup.entry} does not exist`)
  } else {
    for (const candidate of ENTRY_CANDIDATES)
      if (await exists(join(dir, candidate))) {
        entry = join(dir, candidate)
        break
      }
    if (entry === undefined) throw fail("PLUGIN_NO_ENTRY", `none of ${ENTRY_CANDIDATES.join(", ")} exists`)
  }

  const timeoutMs = options.timeoutMs ?? 10_000
  let timer: NodeJS.Timeout | undefined
  let module: { default?: unknown }
  try {
    module = await Promise.race([
      import(pathToFileURL(entry).href) as Promise<{ default?: unknown }>,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(fail("PLUGIN_LOAD_TIMEOUT", `not loaded within ${timeoutMs} ms`)),
          timeoutMs,
        )
      }),
    ])
  } catch (error) {
    if (error instanceof PluginLoadError) throw error
    throw fail("PLUGIN_IMPORT_FAILED", describeCause(error))
  } finally {
    clearTimeout(timer)
  }
  const plugin = module.default
  if (!isPlugin(plugin))
    throw fail("PLUGIN_BAD_MANIFEST", "the entry's default export is not a definePlugin(...) manifest")
  label = typeof plugin.name === "string" ? plugin.name : label
  const problems = manifestProblems(plugin)
  if (typeof pkg.version === "string" && pkg.version !== plugin.version)
    problems.push(`version ${plugin.version} differs from package.json's ${pkg.version}`)
  if (problems.length > 0) throw fail("PLUGIN_BAD_MANIFEST", problems.join("; "))
  return { plugin, path: dir }
}

/** Loads every plugin found under `roots`; a name already taken by an earlier folder is an error. */
export const loadPlugins = async (
  roots: ReadonlyArray<string>,
  options: { readonly timeoutMs?: number } = {},
): Promise<LoadReport> => {
  const loaded: LoadedPlugin[] = []
  const errors: PluginLoadError[] = []
  for (const dir of await discoverPluginDirs(roots)) {
    try {
      const result = await loadPlugin(dir, options)
      const taken = loaded.find((other) => other.plugin.name === result.plugin.name)
      if (taken !== undefined)
        throw new PluginLoadError({
          code: "PLUGIN_DUPLICATE_NAME",
          plugin: result.plugin.name,
          path: dir,
          reason: `the name is already used by ${taken.path}`,
        })
      loaded.push(result)
    } catch (error) {
      errors.push(
        error instanceof PluginLoadError
          ? error
          : new PluginLoadError({
              code: "PLUGIN_IMPORT_FAILED",
              plugin: basename(dir),
              path: dir,
              reason: describeCause(error),
            }),
      )
    }
  }
  return { loaded, errors }
}

/** The environment variable holding a plugin's config as JSON. */
export const pluginConfigVariable = (name: string): string =>
  `LVLUP_PLUGIN_${name.toUpperCase().replace(/-/g, "_")}_CONFIG`
