import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { boot } from "../Boot.js"
import { discoverPluginDirs, loadPlugins, pluginConfigVariable } from "../PluginLoader.js"

let root: string

/** Writes a plugin folder: its package.json and files. */
const plugin = async (
  folder: string,
  pkg: Record<string, unknown> | string,
  files: Record<string, string>,
) => {
  const dir = join(root, folder)
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, "package.json"), typeof pkg === "string" ? pkg : JSON.stringify(pkg))
  for (const [file, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, file)), { recursive: true })
    await writeFile(join(dir, file), text)
  }
}

const pkg = (name: string, runtime = "^0.1.0") => ({
  name,
  version: "1.0.0",
  type: "module",
  lvlup: { runtime },
})

const manifest = (name: string, extra = "") => `
import { definePlugin, reply, Schema, setup } from "lvlup/sdk"
${extra}
const machine = setup({}).createMachine({
  on: { hello: { actions: reply(({ event }) => ({ hello: event.payload.who, from: "${name}" })) } },
})
export default definePlugin({
  name: "${name}",
  version: "1.0.0",
  machine,
  accepts: { hello: Schema.Struct({ who: Schema.String }) },
  config: Schema.Struct({ greeting: Schema.optionalWith(Schema.String, { default: () => "hi" }) }),
})
`

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "lvlup-plugins-"))
  await plugin("js-agent", pkg("js-agent"), { "index.js": manifest("js-agent") })
  await plugin("ts-agent", pkg("ts-agent"), {
    "src/index.ts": manifest("ts-agent", "const typed: number = 1; void typed"),
  })
  await plugin("syntax-error", pkg("syntax-error"), { "index.js": "export default {{{" })
  await plugin("throws", pkg("throws"), { "index.js": 'throw new Error("cannot start: missing token")' })
  await plugin("not-a-plugin", pkg("not-a-plugin"), { "index.js": "export default { name: 'x' }" })
  await plugin("bad-name", pkg("bad-name"), { "index.js": manifest("Bad Name!") })
  await plugin("zz-duplicate", pkg("zz-duplicate"), { "index.js": manifest("js-agent") })
  await plugin("too-new", pkg("too-new", "^9.0.0"), { "index.js": manifest("too-new") })
  await plugin("no-entry", pkg("no-entry"), { "README.md": "nothing to run" })
  await plugin("broken-json", "{ not json", { "index.js": manifest("broken-json") })
  await plugin("no-range", { name: "no-range", lvlup: {} }, { "index.js": manifest("no-range") })
  await mkdir(join(root, "just-a-folder"), { recursive: true })
})

afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

describe("plugin discovery and loading", () => {
  it("finds every folder with an lvlup package.json, and accepts a plugin folder as a root itself", async () => {
    const dirs = await discoverPluginDirs([root, join(root, "js-agent"), join(root, "missing")])
    expect(dirs.map((d) => d.slice(root.length + 1))).toEqual([
      "bad-name",
      "broken-json",
      "js-agent",
      "no-entry",
      "no-range",
      "not-a-plugin",
      "syntax-error",
      "throws",
      "too-new",
      "ts-agent",
      "zz-duplicate",
    ])
  })

  it("loads JavaScript and TypeScript plugins with no build step and reports each broken one by code", async () => {
    const report = await loadPlugins([root])
    expect(report.loaded.map((l) => l.plugin.name).sort()).toEqual(["js-agent", "ts-agent"])
    const byFolder = Object.fromEntries(report.errors.map((e) => [e.path.slice(root.length + 1), e]))
    expect(Object.fromEntries(Object.entries(byFolder).map(([folder, e]) => [folder, e.code]))).toEqual({
      "syntax-error": "PLUGIN_IMPORT_FAILED",
      throws: "PLUGIN_IMPORT_FAILED",
      "not-a-plugin": "PLUGIN_BAD_MANIFEST",
      "bad-name": "PLUGIN_BAD_MANIFEST",
      "zz-duplicate": "PLUGIN_DUPLICATE_NAME",
      "too-new": "PLUGIN_INCOMPATIBLE_RUNTIME",
      "no-entry": "PLUGIN_NO_ENTRY",
      "broken-json": "PLUGIN_BAD_PACKAGE",
      "no-range": "PLUGIN_BAD_PACKAGE",
    })
    expect(byFolder["throws"]?.message).toContain("cannot start: missing token")
    expect(byFolder["too-new"]?.reason).toBe("needs runtime ^9.0.0, this runtime is 0.1.0")
    expect(byFolder["bad-name"]?.reason).toContain("name must match")
    expect(byFolder["zz-duplicate"]?.plugin).toBe("js-agent")
  })

  it("boots the loadable plugins with their config from the environment and reports bad config", async () => {
    const { system, started, errors } = await boot({
      plugins: await loadPlugins([root]),
      env: {
        [pluginConfigVariable("js-agent")]: JSON.stringify({ greeting: 42 }),
        [pluginConfigVariable("ts-agent")]: JSON.stringify({ greeting: "hello" }),
      },
    })
    expect(started).toEqual(["ts-agent"])
    const badConfig = errors.find((e) => e.plugin === "js-agent" && e.code === "PLUGIN_BAD_CONFIG")
    expect(badConfig?.reason).toContain("greeting")
    await expect(system.ask("ts-agent", { type: "hello", payload: { who: "ops" } })).resolves.toEqual({
      hello: "ops",
      from: "ts-agent",
    })
    await system.shutdown()
  })

  it("names the config variable after the plugin", () => {
    expect(pluginConfigVariable("my-agent")).toBe("LVLUP_PLUGIN_MY_AGENT_CONFIG")
  })
})
