// The plugin scaffold: `npm run new-plugin -- <name> [--dir <parent folder>]` writes a plugin package that
// loads, answers `status` and passes its own test, for an author to grow from. `generatePlugin` is the
// same generator as a function (the scaffold's tests call it).
import { mkdir, rm, stat, writeFile } from "node:fs/promises"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { parseArgs } from "node:util"
import { NAME_PATTERN } from "../runtime/Plugin.js"
import { RUNTIME_VERSION } from "../runtime/version.js"

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..")

export const USAGE = `Usage: npm run new-plugin -- <name> [--dir <parent folder>]

Creates <parent folder>/<name>/, a plugin package with its manifest, machine, messages, config and a
passing test. The parent folder defaults to plugins/ (loaded by \`npm start\`); a plugin elsewhere is
loaded when its folder or its parent is listed in LVLUP_PLUGIN_PATHS.

  <name>        the plugin's name and address: ${String(NAME_PATTERN)}
  --dir <path>  the folder to create the plugin in (default: plugins/)
  -h, --help    show this help`

/** A refusal with the exit code the command line reports: 2 for bad usage, 1 for anything else. */
export class NewPluginError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message)
    this.name = "NewPluginError"
  }
}

export interface GeneratedPlugin {
  /** The new plugin's folder (absolute). */
  readonly dir: string
  /** The files written, relative to `dir`. */
  readonly files: ReadonlyArray<string>
}

/** "my-agent" → "MyAgent": the prefix of the config schema's name. */
const pascalCase = (name: string): string =>
  name
    .split("-")
    .filter((part) => part !== "")
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join("")

const configVariable = (name: string): string =>
  `LVLUP_PLUGIN_${name.toUpperCase().replace(/-/g, "_")}_CONFIG`

/** The new plugin's files by relative path; `name` must already be valid. */
export const pluginFiles = (name: string): Record<string, string> => {
  const Config = `${pascalCase(name)}Config`
  return {
    "package.json":
      JSON.stringify(
        {
          name: `lvlup-plugin-${name}`,
          version: "0.1.0",
          description: `The ${name} agent for Lvl_UP`,
          type: "module",
          private: true,
          lvlup: { runtime: `^${RUNTIME_VERSION}`, entry: "src/index.ts" },
        },
        null,
        2,
      ) + "\n",

    "src/index.ts": `// The ${name} plugin's manifest, the default export the runtime loads: its name, machine, messages,
// config and how the runtime supervises it. Declarations only; the work is in the machine.
import { Supervision, definePlugin } from "lvlup/sdk"
import { ${Config} } from "./config.js"
import { machine } from "./machine.js"
import { accepts, emits } from "./messages.js"

export default definePlugin({
  name: "${name}",
  version: "0.1.0",
  description: "The ${name} agent",
  machine,
  accepts,
  emits,
  config: ${Config},
  // A crash restarts the actor from its last good snapshot after about 200 ms, 400 ms, 800 ms (at most
  // 30 s); a crash after 3 restarts within a minute leaves it \`failed\` until an operator restarts it.
  supervision: Supervision.restartWithBackoff({ min: "200 millis", max: "30 seconds" }).withLimit(3, "1 minute"),
})
`,

    "src/messages.ts": `// The ${name} plugin's messages: what it accepts and what it publishes. Every payload is an Effect
// Schema, so the runtime refuses a malformed message before the machine sees it.
import { Schema } from "lvlup/sdk"

export const accepts = {
  /** What the agent is doing and how much it has handled. */
  status: Schema.Struct({}),
  /** An example command: answers with the text, prefixed as configured. Replace it with your own. */
  "${name}.echo": Schema.Struct({ text: Schema.String }),
}

/** Events the plugin publishes (on the topic "${name}"), named <plugin>.<noun>.<verb>. */
export const emits = {
  "${name}.echo.sent": Schema.Struct({ text: Schema.String }),
}
`,

    "src/config.ts": `// The ${name} plugin's config, decoded from ${configVariable(name)} (JSON) when it loads.
// Every field has a default, so the plugin starts with no setup.
import { Schema } from "lvlup/sdk"

export const defaults = {
  prefix: "",
} as const

export const ${Config} = Schema.Struct({
  /** Put before every echoed text. */
  prefix: Schema.optionalWith(Schema.String, { default: () => defaults.prefix }),
})
export type ${Config} = typeof ${Config}.Type
`,

    "src/machine.ts": `// The ${name} plugin's machine: pure XState. It declares what to answer and publish; the runtime
// does the sending. Side effects belong in invoked Effect programs (\`fromEffect\`), not here.
import { assign, publish, reply, setup } from "lvlup/sdk"
import type { ActorInput, MessageEvents } from "lvlup/sdk"
import type { ${Config} } from "./config.js"
import type { accepts } from "./messages.js"

interface Context {
  readonly plugin: string
  readonly config: ${Config}
  readonly handled: number
}

export const machine = setup({
  types: {
    context: {} as Context,
    events: {} as MessageEvents<typeof accepts>,
    input: {} as ActorInput<${Config}>,
  },
  actions: {
    countHandled: assign({ handled: ({ context }) => context.handled + 1 }),
  },
}).createMachine({
  id: "${name}",
  context: ({ input }) => ({ plugin: input.plugin, config: input.config, handled: 0 }),
  initial: "idle",
  states: {
    idle: {
      on: {
        status: {
          actions: reply(({ context }) => ({
            plugin: context.plugin,
            state: "idle",
            handled: context.handled,
            config: context.config,
          })),
        },
        "${name}.echo": {
          actions: [
            "countHandled",
            reply(({ context, event }) => ({ text: context.config.prefix + event.payload.text })),
            publish("${name}.echo.sent", ({ context, event }) => ({ text: context.config.prefix + event.payload.text })),
          ],
        },
      },
    },
  },
})
`,

    [`test/${name}.test.ts`]: `// The ${name} plugin's own tests, hosted by the SDK's test kit: the same actor system production runs,
// in-process. Stand in for the agents it talks to with \`stubs\`.
import { afterEach, describe, expect, it } from "vitest"
import { testPlugin } from "lvlup/sdk"
import type { PluginTestKit } from "lvlup/sdk"
import plugin from "../src/index.js"

let kit: PluginTestKit | undefined
afterEach(async () => {
  await kit?.close()
  kit = undefined
})

describe("${name}", () => {
  it("answers status with its state and default config", async () => {
    kit = testPlugin(plugin)
    await expect(kit.ask("${name}", { type: "status" })).resolves.toEqual({
      plugin: "${name}",
      state: "idle",
      handled: 0,
      config: { prefix: "" },
    })
  })

  it("echoes with the configured prefix and publishes ${name}.echo.sent", async () => {
    kit = testPlugin(plugin, { config: { prefix: "> " } })
    await expect(kit.ask("${name}", { type: "${name}.echo", payload: { text: "hi" } })).resolves.toEqual({ text: "> hi" })
    const sent = kit.events.filter((event) => event.type === "${name}.echo.sent")
    expect(sent.map((event) => [event.topic, event.payload])).toEqual([["${name}", { text: "> hi" }]])
    await expect(kit.ask("${name}", { type: "status" })).resolves.toMatchObject({ handled: 1 })
  })

  it("refuses a malformed message", async () => {
    kit = testPlugin(plugin)
    await expect(kit.ask("${name}", { type: "${name}.echo", payload: { text: 42 } })).rejects.toMatchObject({
      _tag: "InvalidMessage",
    })
  })
})
`,
  }
}

/** Formats with the project's Prettier settings when Prettier is installed; the text as is otherwise. */
const format = async (path: string, text: string): Promise<string> => {
  try {
    const prettier = await import("prettier")
    const options = await prettier.resolveConfig(join(projectRoot, "package.json"))
    return await prettier.format(text, { ...options, filepath: path })
  } catch {
    return text
  }
}

const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  )

/**
 * Writes a new plugin package at `<parent>/<name>/` (parent: plugins/ of this project by default).
 * Refuses an invalid name (exit code 2) and an existing folder (exit code 1) with a `NewPluginError`.
 */
export const generatePlugin = async (options: {
  readonly name: string
  readonly parent?: string
}): Promise<GeneratedPlugin> => {
  const { name } = options
  if (!NAME_PATTERN.test(name))
    throw new NewPluginError(
      `invalid plugin name "${name}": use a lower-case letter, then up to 62 lower-case letters, digits or dashes (${String(NAME_PATTERN)})`,
      2,
    )
  const parent = resolve(options.parent ?? join(projectRoot, "plugins"))
  const dir = join(parent, name)
  if (await exists(dir)) throw new NewPluginError(`${dir} already exists; nothing was written`, 1)
  await mkdir(parent, { recursive: true })
  try {
    // Not recursive: if another process created the folder meanwhile, this fails instead of mixing files.
    await mkdir(dir)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new NewPluginError(
      code === "EEXIST"
        ? `${dir} already exists; nothing was written`
        : `cannot create ${dir}: ${String(error)}`,
      1,
    )
  }
  const files = pluginFiles(name)
  try {
    for (const [path, text] of Object.entries(files)) {
      const target = join(dir, path)
      await mkdir(dirname(target), { recursive: true })
      await writeFile(target, await format(target, text), { flag: "wx" })
    }
  } catch (error) {
    // A half-written plugin would fail to load later with a puzzling error; leave nothing instead.
    await rm(dir, { recursive: true, force: true })
    throw new NewPluginError(`cannot write the plugin in ${dir}: ${String(error)}`, 1)
  }
  return { dir, files: Object.keys(files) }
}

/** The command line: prints what happened and returns the exit code (0 ok, 2 bad usage, 1 other). */
export const main = async (
  argv: ReadonlyArray<string>,
  io: { readonly out: (line: string) => void; readonly err: (line: string) => void; readonly cwd: string },
): Promise<number> => {
  let parsed: ReturnType<typeof parseCommandLine>
  try {
    parsed = parseCommandLine(argv)
  } catch (error) {
    io.err(`new-plugin: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`)
    return 2
  }
  if (parsed.help) {
    io.out(USAGE)
    return 0
  }
  try {
    const parent = parsed.dir === undefined ? undefined : resolve(io.cwd, parsed.dir)
    const { dir, files } = await generatePlugin({ name: parsed.name, parent })
    const shown = relative(io.cwd, dir).startsWith("..") ? dir : relative(io.cwd, dir)
    const inPlugins = resolve(dir, "..") === join(projectRoot, "plugins")
    // Commands to run from the project root, where vitest's config maps "lvlup/sdk" for the test.
    const next: Array<[string, string]> = inPlugins
      ? [
          [`npx vitest run plugins/${parsed.name}`, "its own test"],
          ["npm start", "loads it with the other plugins"],
        ]
      : [
          [`npx vitest run --dir ${dir}`, "its own test"],
          [`LVLUP_PLUGIN_PATHS=${dir} npm start`, "loads it with the other plugins"],
        ]
    next.push(["docs/plugins.md", "the guide: messages, replies, effects, children, supervision"])
    const width = Math.max(...next.map(([command]) => command.length))
    io.out(
      [
        `Created plugin "${parsed.name}" in ${shown}/`,
        ...files.map((file) => `  ${file}`),
        "",
        `Next, from ${projectRoot}:`,
        ...next.map(([command, why]) => `  ${command.padEnd(width)}   # ${why}`),
      ].join("\n"),
    )
    return 0
  } catch (error) {
    if (error instanceof NewPluginError) {
      io.err(`new-plugin: ${error.message}${error.exitCode === 2 ? `\n\n${USAGE}` : ""}`)
      return error.exitCode
    }
    io.err(`new-plugin: ${error instanceof Error ? error.message : String(error)}`)
    return 1
  }
}

const parseCommandLine = (argv: ReadonlyArray<string>) => {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { dir: { type: "string" }, help: { type: "boolean", short: "h" } },
    allowPositionals: true,
    strict: true,
  })
  if (values.help === true) return { help: true, name: "", dir: undefined }
  if (positionals.length === 0) throw new Error("missing the plugin name")
  if (positionals.length > 1) throw new Error(`one plugin name expected, got: ${positionals.join(" ")}`)
  if (values.dir === "") throw new Error("--dir needs a folder")
  return { help: false, name: positionals[0]!, dir: values.dir }
}

// Run as a command (`tsx scripts/new-plugin.ts`), not when imported by the tests.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href)
  process.exitCode = await main(process.argv.slice(2), {
    out: (line) => process.stdout.write(line + "\n"),
    err: (line) => process.stderr.write(line + "\n"),
    // npm runs scripts from the project root; INIT_CWD is where the author typed the command.
    cwd: process.env.INIT_CWD ?? process.cwd(),
  })
