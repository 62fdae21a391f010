// Schedules as values, without a database: which declarations a plugin may make (a bad cron expression
// is refused with the library's message), how an interval variable is read (a wrong value names the
// variable and stops the start), and the missed-run policy's arithmetic.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { boot } from "../Boot.js"
import { definePlugin, manifestProblems } from "../Plugin.js"
import type { Plugin, ScheduleDeclaration } from "../Plugin.js"
import { loadPlugins } from "../PluginLoader.js"
import { firstRun, planRun, resolveSchedules, runKey } from "../Schedule.js"
import type { ResolvedSchedule } from "../Schedule.js"
import { Schema, setup } from "../sdk/index.js"

const accepts = {
  tick: Schema.Struct({ label: Schema.String }),
  ping: Schema.Struct({}),
}

const withSchedules = (schedules: ReadonlyArray<unknown>, extra: Record<string, unknown> = {}): Plugin =>
  definePlugin({
    name: "ticker",
    version: "1.0.0",
    machine: setup({}).createMachine({}),
    accepts,
    schedules: schedules as ReadonlyArray<ScheduleDeclaration>,
    ...extra,
  })

const every = (seconds: number, variable?: string): ScheduleDeclaration => ({
  name: "tick",
  every: variable === undefined ? { seconds } : { seconds, variable },
  message: { type: "tick", payload: { label: "x" } },
  missed: "run-once",
})

describe("schedule declarations", () => {
  it("accepts intervals and cron expressions (5 or 6 fields, with a timezone)", () => {
    expect(
      manifestProblems(
        withSchedules([
          every(900, "TICKER_INTERVAL"),
          {
            name: "nightly",
            cron: "30 2 * * *",
            timezone: "Europe/Paris",
            message: { type: "ping" },
            missed: "skip",
          },
          { name: "seconds", cron: "*/10 * * * * *", message: { type: "ping" }, missed: "run-once" },
        ]),
      ),
    ).toEqual([])
  })

  it.each([
    ["61 * * * *", "CronPattern: Invalid value for minute: 61"],
    ["every day", "exactly five, six, or seven space separated parts are required"],
    ["0 0 30 2 *", "the expression never falls due"],
  ])("refuses cron %j with the library's reason", (cron, reason) => {
    const problems = manifestProblems(
      withSchedules([{ name: "bad", cron, message: { type: "ping" }, missed: "skip" }]),
    )
    expect(problems).toHaveLength(1)
    expect(problems[0]).toContain(`schedule "bad": cron "${cron}" is invalid: `)
    expect(problems[0]).toContain(reason)
  })

  it("refuses an unknown timezone", () => {
    const [problem] = manifestProblems(
      withSchedules([
        {
          name: "tz",
          cron: "0 * * * *",
          timezone: "Mars/Olympus",
          message: { type: "ping" },
          missed: "skip",
        },
      ]),
    )
    expect(problem).toContain("Invalid timezone 'Mars/Olympus'")
  })

  it("refuses malformed declarations, each problem named", () => {
    const problems = manifestProblems(
      withSchedules([
        { ...every(900), name: "Bad Name" },
        every(0),
        every(1.5),
        { ...every(900), name: "both", cron: "* * * * *" },
        { name: "neither", message: { type: "ping" }, missed: "skip" },
        { ...every(900, "lower_case"), name: "var" },
        { ...every(900), name: "policy", missed: "catch-up" },
        { ...every(900), name: "unknown-type", message: { type: "nope" } },
        { ...every(900), name: "bad-payload", message: { type: "tick", payload: { label: 3 } } },
        { ...every(900), name: "extra-field", message: { type: "tick", payload: { label: "x", more: 1 } } },
        { ...every(900), name: "tz-on-interval", timezone: "UTC" },
        every(900),
      ]),
    )
    expect(problems).toEqual([
      expect.stringContaining('schedule "Bad Name": name must match'),
      'schedule "tick": every.seconds must be a positive whole number of seconds',
      'schedule "tick" is declared twice',
      'schedule "tick": every.seconds must be a positive whole number of seconds',
      'schedule "both": declare exactly one of every and cron',
      'schedule "neither": declare exactly one of every and cron',
      'schedule "var": every.variable must be an environment variable name like GUARDIAN_SCAN_INTERVAL',
      'schedule "policy": missed must be "run-once" or "skip"',
      'schedule "unknown-type": message type "nope" is not one the plugin accepts',
      expect.stringContaining('schedule "bad-payload": payload is refused by "tick"'),
      expect.stringContaining('schedule "extra-field": payload is refused by "tick"'),
      'schedule "tz-on-interval": timezone applies to cron only',
      'schedule "tick" is declared twice',
    ])
  })

  it("refuses schedules on a transient root, which keeps no journal to fire them into", () => {
    expect(manifestProblems(withSchedules([every(900)], { persistence: "transient" }))).toEqual([
      "schedules need a durable root actor: a transient one keeps no journal to fire them into",
    ])
  })

  describe("loading a plugin folder", () => {
    let root: string | undefined
    afterAll(async () => {
      if (root !== undefined) await rm(root, { recursive: true, force: true })
    })

    it("reports a bad cron expression as PLUGIN_BAD_MANIFEST with the library's message", async () => {
      root = await mkdtemp(join(tmpdir(), "lvlup-schedules-"))
      const dir = join(root, "cron-typo")
      await mkdir(dir, { recursive: true })
      await writeFile(
        join(dir, "package.json"),
        JSON.stringify({ name: "cron-typo", version: "1.0.0", type: "module", lvlup: { runtime: "^0.1.0" } }),
      )
      await writeFile(
        join(dir, "index.js"),
        `import { definePlugin, Schema, setup } from "lvlup/sdk"
export default definePlugin({
  name: "cron-typo", version: "1.0.0", machine: setup({}).createMachine({}),
  accepts: { ping: Schema.Struct({}) },
  schedules: [{ name: "hourly", cron: "0 25 * * *", message: { type: "ping" }, missed: "skip" }],
})`,
      )
      const report = await loadPlugins([root])
      expect(report.loaded).toEqual([])
      expect(report.errors).toMatchObject([
        {
          code: "PLUGIN_BAD_MANIFEST",
          plugin: "cron-typo",
          reason: 'schedule "hourly": cron "0 25 * * *" is invalid: CronPattern: Invalid value for hour: 25',
        },
      ])
    })
  })
})

describe("interval variables", () => {
  const plugin = withSchedules([every(900, "TICKER_INTERVAL")])

  it("use the declared default when the variable is unset or empty", () => {
    expect(resolveSchedules(plugin, {})[0]?.spec).toBe("every 900s")
    expect(resolveSchedules(plugin, { TICKER_INTERVAL: "" })[0]?.spec).toBe("every 900s")
  })

  it("override the interval with whole seconds", () => {
    expect(resolveSchedules(plugin, { TICKER_INTERVAL: " 60 " })[0]).toMatchObject({
      spec: "every 60s",
      timing: { _tag: "Every", ms: 60_000 },
    })
  })

  it.each(["15m", "0", "-5", "1.5", "1e3", "9999999999"])("refuse %j, naming the variable", (value) => {
    let thrown: unknown
    try {
      resolveSchedules(plugin, { TICKER_INTERVAL: value })
    } catch (error) {
      thrown = error
    }
    expect(thrown).toMatchObject({ _tag: "InvalidScheduleVariable", variable: "TICKER_INTERVAL", value })
    expect((thrown as Error).message).toBe(
      `TICKER_INTERVAL=${JSON.stringify(value)} is not a valid interval for schedule "ticker/tick": ` +
        "must be a whole number of seconds from 1 to 1000000000 (default 900)",
    )
  })

  it("stop the start before any plugin is hosted", async () => {
    await expect(
      boot({
        plugins: { loaded: [{ plugin, path: "(test)" }], errors: [] },
        env: { TICKER_INTERVAL: "soon" },
      }),
    ).rejects.toMatchObject({ _tag: "InvalidScheduleVariable", variable: "TICKER_INTERVAL", value: "soon" })
  })
})

describe("the missed-run policy", () => {
  const T0 = Date.parse("2030-01-01T00:00:00.000Z")
  const MIN = 60_000
  const interval = (missed: "run-once" | "skip"): ResolvedSchedule =>
    resolveSchedules(withSchedules([{ ...every(900), missed }]), {})[0]!

  it("fires a tick reached on time and moves to the next one", () => {
    expect(planRun(interval("skip"), T0, T0, MIN)).toEqual({
      due: T0,
      next: T0 + 15 * MIN,
      onTime: true,
      fire: true,
    })
    expect(planRun(interval("skip"), T0, T0 + MIN, MIN)).toMatchObject({ onTime: true, fire: true })
  })

  it("settles only the last of several missed ticks: once for run-once, not at all for skip", () => {
    // Down from before T0 until 50 minutes later: ticks T0, +15, +30 and +45 were missed.
    const now = T0 + 50 * MIN
    const once = planRun(interval("run-once"), T0, now, MIN)
    expect(once).toEqual({ due: T0 + 45 * MIN, next: T0 + 60 * MIN, onTime: false, fire: true })
    expect(planRun(interval("skip"), T0, now, MIN)).toEqual({ ...once, fire: false })
  })

  it("counts a tick reached within the grace period as on time, even after missed ones", () => {
    expect(planRun(interval("skip"), T0, T0 + 45 * MIN + 30_000, MIN)).toMatchObject({
      due: T0 + 45 * MIN,
      onTime: true,
      fire: true,
    })
  })

  it("follows cron ticks in their timezone", () => {
    const [nightly] = resolveSchedules(
      withSchedules([
        {
          name: "nightly",
          cron: "30 2 * * *",
          timezone: "Europe/Paris",
          message: { type: "ping" },
          missed: "run-once",
        },
      ]),
      {},
    )
    // 02:30 in Paris is 01:30 UTC in winter; down for three days, one run, then the next night.
    const due = Date.parse("2030-01-01T01:30:00.000Z")
    const plan = planRun(nightly!, due, due + 3 * 86_400_000 + 3 * 3_600_000, MIN)
    expect(new Date(plan.due).toISOString()).toBe("2030-01-04T01:30:00.000Z")
    expect(new Date(plan.next).toISOString()).toBe("2030-01-05T01:30:00.000Z")
    expect(plan).toMatchObject({ onTime: false, fire: true })
  })

  it("reads a cron expression without a timezone in UTC, whatever the host's local time", () => {
    const [nightly] = resolveSchedules(
      withSchedules([{ name: "nightly", cron: "30 2 * * *", message: { type: "ping" }, missed: "skip" }]),
      {},
    )
    expect(new Date(firstRun(nightly!, T0)).toISOString()).toBe("2030-01-01T02:30:00.000Z")
  })

  it("keys a run by plugin, schedule and due time", () => {
    expect(runKey({ plugin: "guardian", name: "scan" }, T0)).toBe(
      "schedule:guardian:scan:2030-01-01T00:00:00.000Z",
    )
  })
})
