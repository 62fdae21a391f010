// The plugin scaffold: what it generates loads and answers `status` when hosted, bad names and existing
// folders are refused without writing anything, and the command line reports the right exit codes.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { testPlugin } from "lvlup/sdk"
import type { Plugin, PluginTestKit } from "lvlup/sdk"
import { NewPluginError, generatePlugin, main } from "../new-plugin.js"

let parent: string
let kit: PluginTestKit | undefined
beforeEach(async () => {
  parent = await mkdtemp(join(tmpdir(), "lvlup-new-plugin-"))
})
afterEach(async () => {
  await kit?.close()
  kit = undefined
  await rm(parent, { recursive: true, force: true })
})

const failureOf = async (attempt: Promise<unknown>): Promise<unknown> =>
  attempt.then(
    () => undefined,
    (error: unknown) => error,
  )

/** Runs the command line with captured output. */
const run = async (...argv: string[]) => {
  const out: string[] = []
  const err: string[] = []
  const code = await main(argv, { out: (line) => out.push(line), err: (line) => err.push(line), cwd: parent })
  return { code, out: out.join("\n"), err: err.join("\n") }
}

describe("generatePlugin", () => {
  it.each([["weather"], ["a-1-b"], ["x" + "y".repeat(62)]])(
    "writes a plugin %s that the SDK hosts and that answers status",
    async (name) => {
      const { dir, files } = await generatePlugin({ name, parent })
      expect(dir).toBe(join(parent, name))
      expect([...files].sort()).toEqual(
        [
          "package.json",
          "src/config.ts",
          "src/index.ts",
          "src/machine.ts",
          "src/messages.ts",
          `test/${name}.test.ts`,
        ].sort(),
      )
      const pkg = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as Record<string, unknown>
      expect(pkg).toMatchObject({
        name: `lvlup-plugin-${name}`,
        type: "module",
        lvlup: { runtime: "^0.1.0", entry: "src/index.ts" },
      })

      const module = (await import(join(dir, "src/index.ts"))) as { default: Plugin }
      expect(module.default.name).toBe(name)
      kit = testPlugin(module.default)
      await expect(kit.ask(name, { type: "status" })).resolves.toEqual({
        plugin: name,
        state: "idle",
        handled: 0,
        config: { prefix: "" },
      })
      await expect(kit.ask(name, { type: `${name}.echo`, payload: { text: "hi" } })).resolves.toEqual({
        text: "hi",
      })
    },
  )

  it.each([[""], ["Weather"], ["1st"], ["-x"], ["snake_case"], ["a/b"], ["x".repeat(64)]])(
    "refuses the name %j as bad usage and writes nothing",
    async (name) => {
      const error = await failureOf(generatePlugin({ name, parent }))
      expect(error).toBeInstanceOf(NewPluginError)
      expect(error).toMatchObject({
        exitCode: 2,
        message: expect.stringContaining("invalid plugin name") as unknown,
      })
      expect(await readdir(parent)).toEqual([])
    },
  )

  it("refuses an existing folder and leaves its contents alone", async () => {
    await mkdir(join(parent, "weather"))
    await writeFile(join(parent, "weather", "notes.txt"), "mine")
    const error = await failureOf(generatePlugin({ name: "weather", parent }))
    expect(error).toBeInstanceOf(NewPluginError)
    expect(error).toMatchObject({
      exitCode: 1,
      message: expect.stringContaining("already exists") as unknown,
    })
    expect(await readdir(join(parent, "weather"))).toEqual(["notes.txt"])
    expect(await readFile(join(parent, "weather", "notes.txt"), "utf8")).toBe("mine")
  })
})

describe("new-plugin command", () => {
  it("creates the plugin under --dir (relative to where it was run) and exits 0", async () => {
    await mkdir(join(parent, "agents"))
    const result = await run("weather", "--dir", "agents")
    expect(result).toMatchObject({ code: 0, err: "" })
    expect(result.out).toContain('Created plugin "weather"')
    expect((await readdir(join(parent, "agents", "weather"))).sort()).toEqual(["package.json", "src", "test"])
  })

  it("exits 2 with the usage for a bad name, a missing name, extra names or an unknown option", async () => {
    for (const argv of [["Bad"], [], ["one", "two"], ["weather", "--force"], ["weather", "--dir"]]) {
      const result = await run(...argv)
      expect(result.code, argv.join(" ")).toBe(2)
      expect(result.err).toContain("Usage: npm run new-plugin")
    }
    expect(await readdir(parent)).toEqual([])
  })

  it("exits 1 when the folder exists", async () => {
    expect((await run("weather", "--dir", ".")).code).toBe(0)
    const again = await run("weather", "--dir", ".")
    expect(again.code).toBe(1)
    expect(again.err).toContain("already exists")
  })

  it("prints the usage for --help and exits 0", async () => {
    const result = await run("--help")
    expect(result.code).toBe(0)
    expect(result.out).toContain("--dir <path>")
  })
})
