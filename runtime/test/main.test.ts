// The real entry point in a child process, as `npm start` runs it: built-in plugins plus third-party
// folders from LVLUP_PLUGIN_PATHS (JS and TS, resolved through the SDK hook), then SIGTERM.
import { spawn } from "node:child_process"
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const projectRoot = fileURLToPath(new URL("../..", import.meta.url))
let extra: string

const thirdParty = (name: string) => `
import { definePlugin, reply, Schema, setup } from "lvlup/sdk"
import { Duration } from "effect" // a runtime dependency, resolved for plugins outside the project
const machine = setup({}).createMachine({ on: { ping: { actions: reply(() => ({ ms: Duration.toMillis("1 second") })) } } })
export default definePlugin({ name: "${name}", version: "1.0.0", machine, accepts: { ping: Schema.Struct({}) } })
`

beforeAll(async () => {
  extra = await mkdtemp(join(tmpdir(), "lvlup-start-"))
  for (const [name, file] of [
    ["third-js", "index.js"],
    ["third-ts", "src/index.ts"],
  ] as const) {
    await mkdir(join(extra, name, "src"), { recursive: true })
    await writeFile(
      join(extra, name, "package.json"),
      JSON.stringify({ name, version: "1.0.0", type: "module", lvlup: { runtime: "^0.1.0" } }),
    )
    await writeFile(join(extra, name, file), thirdParty(name))
  }
  await mkdir(join(extra, "broken"), { recursive: true })
  await writeFile(
    join(extra, "broken", "package.json"),
    JSON.stringify({ name: "broken", lvlup: { runtime: "^0.1.0" } }),
  )
  await writeFile(join(extra, "broken", "index.js"), "export default 42")
})

afterAll(async () => {
  await rm(extra, { recursive: true, force: true })
})

describe("npm start", () => {
  it("hosts the built-in and third-party plugins, reports a broken one, and exits 0 on SIGTERM", async () => {
    const child = spawn(join(projectRoot, "node_modules/.bin/tsx"), ["runtime/main.ts"], {
      cwd: projectRoot,
      // The embedded database in a folder of its own (not CI's shared PostgreSQL).
      env: {
        ...process.env,
        DATABASE_URL: "",
        LVLUP_DATA_DIR: join(extra, ".lvlup"),
        LVLUP_PLUGIN_PATHS: extra,
        LOG_FORMAT: "json",
        LOG_LEVEL: "info",
      },
      stdio: ["ignore", "pipe", "pipe"],
    })
    const lines: Array<Record<string, unknown>> = []
    let buffer = ""
    const up = new Promise<Record<string, unknown>>((resolve, reject) => {
      child.stderr.on("data", (chunk: Buffer) => {
        buffer += chunk.toString()
        let newline: number
        while ((newline = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, newline)
          buffer = buffer.slice(newline + 1)
          try {
            const parsed = JSON.parse(line) as Record<string, unknown>
            lines.push(parsed)
            if (parsed.message === "Lvl_UP runtime up") resolve(parsed)
          } catch {
            // not a log line (e.g. a warning from Node); kept out of the assertions
          }
        }
      })
      child.once("exit", (code) => reject(new Error(`exited early with ${code}: ${JSON.stringify(lines)}`)))
    })
    const ready = await up
    expect(ready.plugins).toEqual(
      expect.arrayContaining([
        "imperium",
        "guardian",
        "sandbox",
        "conquest",
        "custody",
        "third-js",
        "third-ts",
      ]),
    )
    expect(lines).toContainEqual(
      expect.objectContaining({
        message: "plugin not loaded",
        plugin: "broken",
        code: "PLUGIN_BAD_MANIFEST",
      }),
    )
    expect(lines).toContainEqual(expect.objectContaining({ message: "database ready", mode: "embedded" }))
    expect(lines).toContainEqual(
      expect.objectContaining({
        message: "schedules ready",
        schedules: expect.arrayContaining(["guardian/scan every 900s run-once"]) as unknown,
      }),
    )
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
    child.kill("SIGTERM")
    expect(await exited).toBe(0)
    expect(lines.map((l) => l.message)).toContain("stopped")
  })

  it("refuses to start, naming the variable, when a schedule's interval variable is wrong", async () => {
    const child = spawn(join(projectRoot, "node_modules/.bin/tsx"), ["runtime/main.ts"], {
      cwd: projectRoot,
      env: {
        ...process.env,
        DATABASE_URL: "",
        LVLUP_DATA_DIR: join(extra, ".lvlup-bad-interval"),
        GUARDIAN_SCAN_INTERVAL: "15 minutes",
        LOG_FORMAT: "json",
      },
      stdio: ["ignore", "ignore", "pipe"],
    })
    let stderr = ""
    child.stderr.on("data", (chunk: Buffer) => void (stderr += chunk.toString()))
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve))
    expect(code).toBe(2)
    expect(stderr).toContain(
      'GUARDIAN_SCAN_INTERVAL=\\"15 minutes\\" is not a valid interval for schedule \\"guardian/scan\\"',
    )
    expect(stderr).not.toContain("Lvl_UP runtime up")
  })
})
