// Durable schedules on real storage, on both backends, on a simulated clock: runs fire on time (interval
// and cron), are journaled from the scheduler, survive restarts without loss or doubling (also in the
// window between the journal commit and the row update), follow the missed-run policy after downtime,
// and, with two schedulers on one PostgreSQL database, fire once each.
import { Effect } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { boot } from "../../Boot.js"
import { ManualClock } from "../../Clock.js"
import type { DatabaseConfig } from "../../persistence/DatabaseConfig.js"
import { openStorage } from "../../persistence/Storage.js"
import type { Plugin, ScheduleDeclaration } from "../../Plugin.js"
import { assign, definePlugin, reply, Schema, setup } from "../../sdk/index.js"
import type { MessageEvents } from "../../sdk/index.js"
import { postgresUrl, scratchBackends } from "./fixtures.js"

const { backends, cleanup } = scratchBackends("schedules")
afterAll(cleanup)

const START = Date.parse("2030-01-01T00:00:00.000Z")
const SECOND = 1000
const MINUTE = 60 * SECOND

const accepts = { tick: Schema.Struct({ label: Schema.String }), ticks: Schema.Struct({}) }

/** Keeps the correlation id (the run's key) of every tick it receives; `ticks` replies with them. */
const ticker = (schedules: ReadonlyArray<ScheduleDeclaration>, name = "ticker"): Plugin =>
  definePlugin({
    name,
    version: "1.0.0",
    accepts,
    schedules,
    machine: setup({
      types: { context: {} as { ticks: string[] }, events: {} as MessageEvents<typeof accepts> },
    }).createMachine({
      context: { ticks: [] },
      on: {
        tick: {
          actions: assign({
            ticks: ({ context, event }) => [...context.ticks, event.envelope.correlationId],
          }),
        },
        ticks: { actions: reply(({ context }) => ({ ticks: context.ticks })) },
      },
    }),
  })

const every = (
  name: string,
  seconds: number,
  missed: "run-once" | "skip" = "run-once",
  variable?: string,
): ScheduleDeclaration => ({
  name,
  every: variable === undefined ? { seconds } : { seconds, variable },
  message: { type: "tick", payload: { label: name } },
  missed,
})

const key = (schedule: string, at: number, plugin = "ticker") =>
  `schedule:${plugin}:${schedule}:${new Date(at).toISOString()}`

/** Storage, the system and its scheduler, booted as `npm start` does, on the given clock. */
const open = async (
  config: DatabaseConfig,
  clock: ManualClock,
  plugins: ReadonlyArray<Plugin>,
  env: Record<string, string> = {},
) => {
  const storage = await openStorage([], config)
  const report = await boot({
    plugins: { loaded: plugins.map((plugin) => ({ plugin, path: "(test)" })), errors: [] },
    storage,
    clock,
    env,
  })
  expect(report.errors).toEqual([])
  const scheduler = report.scheduler!
  const system = report.system
  /** Lets the scheduler pass that the clock's timers started finish, and its runs be delivered. */
  const settle = async () => {
    await scheduler.idle()
    await system.idle()
  }
  const close = async () => {
    await scheduler.stop()
    await system.shutdown({ timeoutMs: 5000 })
    await storage.close()
  }
  /** Runs sent by the scheduler, as journaled: their keys, oldest first. */
  const runs = async () =>
    (
      await Effect.runPromise(
        storage.sql<{ correlation_id: string }>`
          SELECT correlation_id FROM journal WHERE from_address = 'scheduler' ORDER BY sent_at, correlation_id`,
      )
    ).map((row) => row.correlation_id)
  const rows = () =>
    Effect.runPromise(
      storage.sql<{
        plugin: string
        name: string
        spec: string
        next_run_at: Date
        last_message_id: string | null
        last_error: string | null
      }>`SELECT plugin, name, spec, next_run_at, last_message_id, last_error FROM schedules ORDER BY plugin, name`,
    )
  const ticks = async (address = "ticker") =>
    ((await system.ask(address, { type: "ticks" })) as { ticks: string[] }).ticks
  return { storage, system, scheduler, settle, close, runs, rows, ticks, clock }
}

describe.each(backends)("schedules on $name storage", (backend) => {
  it.skipIf(backend.skip)("fire on time on a simulated clock, journaled from the scheduler", async () => {
    const clock = new ManualClock(START)
    const node = await open(await backend.config(), clock, [ticker([every("tick", 900)])])
    expect(await node.rows()).toMatchObject([
      { spec: "every 900s", next_run_at: new Date(START + 15 * MINUTE) },
    ])

    clock.advance(15 * MINUTE - 1)
    await node.settle()
    expect(await node.runs()).toEqual([])

    clock.advance(1)
    await node.settle()
    expect(await node.runs()).toEqual([key("tick", START + 15 * MINUTE)])
    expect(await node.ticks()).toEqual([key("tick", START + 15 * MINUTE)])

    clock.advance(15 * MINUTE)
    await node.settle()
    expect(await node.ticks()).toEqual([key("tick", START + 15 * MINUTE), key("tick", START + 30 * MINUTE)])
    const [row] = await node.rows()
    expect(row?.next_run_at).toEqual(new Date(START + 45 * MINUTE))
    expect(row?.last_message_id).toEqual(expect.any(String))
    expect(node.scheduler.stats).toMatchObject({ fired: 2, skipped: 0, deduplicated: 0, refused: 0 })
    await node.close()
  })

  it.skipIf(backend.skip)("fire at the ticks of a cron expression, in its timezone", async () => {
    const clock = new ManualClock(START)
    const schedules: ScheduleDeclaration[] = [
      {
        name: "five",
        cron: "*/5 * * * *",
        message: { type: "tick", payload: { label: "five" } },
        missed: "skip",
      },
      // 09:30 in Kolkata (UTC+05:30) is 04:00 UTC.
      {
        name: "morning",
        cron: "30 9 * * *",
        timezone: "Asia/Kolkata",
        message: { type: "tick", payload: { label: "morning" } },
        missed: "skip",
      },
    ]
    const node = await open(await backend.config(), clock, [ticker(schedules)])
    for (let i = 0; i < 3; i++) {
      clock.advance(5 * MINUTE)
      await node.settle()
    }
    expect(await node.runs()).toEqual([5, 10, 15].map((m) => key("five", START + m * MINUTE)))

    clock.advance(4 * 60 * MINUTE - 15 * MINUTE)
    await node.settle()
    expect(await node.runs()).toEqual([
      ...[5, 10, 15].map((m) => key("five", START + m * MINUTE)),
      key("five", START + 240 * MINUTE),
      key("morning", START + 240 * MINUTE),
    ])
    await node.close()
  })

  it.skipIf(backend.skip)("lose no due run and double none across restarts", async () => {
    const config = await backend.config()
    const clock = new ManualClock(START)
    const plugins = [ticker([every("tick", 900)])]
    const first = await open(config, clock, plugins)
    clock.advance(15 * MINUTE)
    await first.settle()
    await first.close()

    // Down across the next tick, back within the grace period: the run is late, not missed.
    clock.advance(15 * MINUTE + 10 * SECOND)
    const second = await open(config, clock, plugins)
    await second.settle()
    expect(await second.runs()).toEqual([key("tick", START + 15 * MINUTE), key("tick", START + 30 * MINUTE)])
    await second.close()

    // Restarted again at once: nothing new is due.
    const third = await open(config, clock, plugins)
    await third.settle()
    expect(await third.runs()).toHaveLength(2)
    expect(await third.ticks()).toEqual([key("tick", START + 15 * MINUTE), key("tick", START + 30 * MINUTE)])
    await third.close()
  })

  it.skipIf(backend.skip)(
    "do not send a run again when the process died after journaling it but before moving its row on",
    async () => {
      const config = await backend.config()
      const clock = new ManualClock(START)
      const plugins = [ticker([every("tick", 900)])]
      const first = await open(config, clock, plugins)
      clock.advance(15 * MINUTE)
      await first.settle()
      // The state a crash between the journal commit and the row update leaves: the run is journaled,
      // the row still names it as due.
      await Effect.runPromise(
        first.storage
          .sql`UPDATE schedules SET next_run_at = ${new Date(START + 15 * MINUTE)}, last_message_id = NULL`,
      )
      await first.close()

      const second = await open(config, clock, plugins)
      await second.settle()
      expect(await second.runs()).toEqual([key("tick", START + 15 * MINUTE)])
      expect(second.scheduler.stats).toMatchObject({ fired: 0, deduplicated: 1 })
      const [row] = await second.rows()
      expect(row).toMatchObject({
        next_run_at: new Date(START + 30 * MINUTE),
        last_message_id: expect.any(String) as unknown,
      })
      await second.close()
    },
  )

  it.skipIf(backend.skip)(
    "follow the missed-run policy after a downtime of several intervals: one run, or none",
    async () => {
      const config = await backend.config()
      const clock = new ManualClock(START)
      const plugins = [ticker([every("once", 900, "run-once"), every("skipper", 900, "skip")])]
      const first = await open(config, clock, plugins)
      clock.advance(100 * SECOND)
      await first.settle()
      await first.close()

      // Down for ticks at 15, 30 and 45 minutes; back at 52.5 minutes, well past the last one's grace.
      clock.advance(52 * MINUTE + 30 * SECOND - 100 * SECOND)
      const second = await open(config, clock, plugins)
      await second.settle()
      expect(await second.runs()).toEqual([key("once", START + 45 * MINUTE)])
      expect(second.scheduler.stats).toMatchObject({ fired: 1, skipped: 1 })
      expect((await second.rows()).map((row) => row.next_run_at)).toEqual([
        new Date(START + 60 * MINUTE),
        new Date(START + 60 * MINUTE),
      ])

      // Both go on at their next tick, on time.
      clock.advance(7 * MINUTE + 30 * SECOND)
      await second.settle()
      expect(await second.runs()).toEqual([
        key("once", START + 45 * MINUTE),
        key("once", START + 60 * MINUTE),
        key("skipper", START + 60 * MINUTE),
      ])
      await second.close()
    },
  )

  it.skipIf(backend.skip)(
    "take an interval from its variable, recompute a changed schedule, and delete an undeclared one",
    async () => {
      const config = await backend.config()
      const clock = new ManualClock(START)
      const first = await open(config, clock, [
        ticker([every("tick", 900, "run-once", "TICK_INTERVAL"), every("old", 60)]),
      ])
      expect((await first.rows()).map((row) => [row.name, row.spec])).toEqual([
        ["old", "every 60s"],
        ["tick", "every 900s"],
      ])
      await first.close()

      clock.advance(5 * MINUTE)
      const second = await open(config, clock, [ticker([every("tick", 900, "run-once", "TICK_INTERVAL")])], {
        TICK_INTERVAL: "120",
      })
      expect(await second.rows()).toMatchObject([
        { name: "tick", spec: "every 120s", next_run_at: new Date(START + 7 * MINUTE) },
      ])
      clock.advance(2 * MINUTE)
      await second.settle()
      expect(await second.runs()).toEqual([key("tick", START + 7 * MINUTE)])
      await second.close()

      const third = await open(config, clock, [ticker([])])
      expect(await third.rows()).toEqual([])
      await third.close()
    },
  )

  it.skipIf(backend.skip)("record a run the actor refuses, and go on with the schedule", async () => {
    const clock = new ManualClock(START)
    const node = await open(await backend.config(), clock, [ticker([every("tick", 900)])])
    node.system.stop("ticker")
    clock.advance(15 * MINUTE)
    await node.settle()
    expect(await node.runs()).toEqual([])
    expect(node.scheduler.stats).toMatchObject({ fired: 0, refused: 1 })
    expect(await node.rows()).toMatchObject([
      { next_run_at: new Date(START + 30 * MINUTE), last_error: 'actor "ticker" is stopped' },
    ])
    await node.close()
  })
})

describe.skipIf(postgresUrl === undefined)("two schedulers on one PostgreSQL database", () => {
  it("fire each run once", async () => {
    const config = await backends[1]!.config()
    const clock = new ManualClock(START)
    // One schedule per plugin: a round's runs go to different addresses whichever scheduler sends them.
    // (Two systems sending to one address would both number its journal stream from the same position:
    // hosting one plugin in two processes is for the cluster transport, not for this test.)
    const plugins = Array.from({ length: 8 }, (_, i) => ticker([every("tick", 900)], `ticker-${i + 1}`))
    const expected: string[] = []
    const fired = [0, 0]
    for (let round = 1; round <= 3; round++) {
      const a = await open(config, clock, plugins)
      const b = await open(config, clock, plugins)
      clock.advance(15 * MINUTE)
      // Both schedulers' timers fire at once; push a few more passes on each to race them harder.
      await Promise.all([
        a.scheduler.runDue(),
        b.scheduler.runDue(),
        a.scheduler.runDue(),
        b.scheduler.runDue(),
      ])
      await Promise.all([a.settle(), b.settle()])
      for (const plugin of plugins) expected.push(key("tick", START + round * 15 * MINUTE, plugin.name))
      const runs = await a.runs()
      expect([...runs].sort()).toEqual([...expected].sort())
      expect(new Set(runs).size).toBe(runs.length)
      fired[0]! += a.scheduler.stats.fired
      fired[1]! += b.scheduler.stats.fired
      expect(a.scheduler.stats.fired + b.scheduler.stats.fired).toBe(plugins.length)
      await a.close()
      await b.close()
    }
    expect(fired[0]! + fired[1]!).toBe(24)
  })

  it("leave a schedule re-declared by a later start to the process that declares it so", async () => {
    const config = await backends[1]!.config()
    const clock = new ManualClock(START)
    const plugins = [ticker([every("tick", 900, "run-once", "TICK_INTERVAL")])]
    const a = await open(config, clock, plugins)
    const b = await open(config, clock, plugins, { TICK_INTERVAL: "600" })
    expect(await a.rows()).toMatchObject([{ spec: "every 600s", next_run_at: new Date(START + 10 * MINUTE) }])
    clock.advance(10 * MINUTE)
    await Promise.all([a.settle(), b.settle()])
    await Promise.all([a.scheduler.runDue(), b.scheduler.runDue()])
    expect(await a.runs()).toEqual([key("tick", START + 10 * MINUTE)])
    expect([a.scheduler.stats.fired, b.scheduler.stats.fired]).toEqual([0, 1])
    await a.close()
    await b.close()
  })
})
