// The seed's intervals as the built-in plugins declare them — IMPERIUM_LEARNING_INTERVAL=1800,
// GUARDIAN_SCAN_INTERVAL=900, SANDBOX_EXPERIMENT_INTERVAL=2700, CONQUEST_ANALYSIS_INTERVAL=1200 seconds —
// and firing on embedded storage: each run is journaled from the scheduler and reaches its agent, which
// answers that the work is not built yet.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import conquest from "../plugins/conquest/src/index.js"
import custody from "../plugins/custody/src/index.js"
import guardian from "../plugins/guardian/src/index.js"
import imperium from "../plugins/imperium/src/index.js"
import sandbox from "../plugins/sandbox/src/index.js"
import { boot } from "../runtime/Boot.js"
import { ManualClock } from "../runtime/Clock.js"
import { openStorage } from "../runtime/persistence/Storage.js"
import { manifestProblems } from "../runtime/Plugin.js"
import { resolveSchedules } from "../runtime/Schedule.js"
import type { TopicEvent } from "../runtime/Topics.js"
import { testConfig } from "../runtime/test/persistence/fixtures.js"

const builtIn = [imperium, guardian, sandbox, conquest, custody]
const dataDir = mkdtempSync(join(tmpdir(), "lvlup-seed-schedules-"))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

describe("the seed's intervals", () => {
  it("are schedules of the built-in plugins, with their exact variable names and defaults", () => {
    for (const plugin of builtIn) expect(manifestProblems(plugin)).toEqual([])
    const declared = builtIn.flatMap((plugin) =>
      (plugin.schedules ?? []).map((s) => [
        plugin.name,
        s.name,
        s.every?.variable,
        s.every?.seconds,
        s.message.type,
      ]),
    )
    expect(declared).toEqual([
      ["imperium", "learning", "IMPERIUM_LEARNING_INTERVAL", 1800, "imperium.cycle.start"],
      ["guardian", "scan", "GUARDIAN_SCAN_INTERVAL", 900, "guardian.scan.request"],
      ["sandbox", "experiment", "SANDBOX_EXPERIMENT_INTERVAL", 2700, "sandbox.run.request"],
      ["conquest", "analysis", "CONQUEST_ANALYSIS_INTERVAL", 1200, "conquest.benchmark.request"],
    ])
    expect(resolveSchedules(guardian, { GUARDIAN_SCAN_INTERVAL: "600" })[0]?.spec).toBe("every 600s")
  })

  it("fire on embedded storage: journaled, delivered, and answered NotImplemented for now", async () => {
    const start = Date.parse("2030-01-01T00:00:00.000Z")
    const clock = new ManualClock(start)
    const storage = await openStorage([], testConfig({ dataDir }))
    const { system, scheduler, errors } = await boot({
      plugins: { loaded: builtIn.map((plugin) => ({ plugin, path: "(built-in)" })), errors: [] },
      storage,
      clock,
      env: { SANDBOX_EXPERIMENT_INTERVAL: "60" },
    })
    expect(errors).toEqual([])
    const refused: TopicEvent[] = []
    system.subscribe("*", (event) => void (event.type.endsWith(".work.refused") && refused.push(event)))

    // Sandbox every minute (its variable), guardian at 15 minutes, conquest at 20, imperium at 30.
    for (let minute = 1; minute <= 30; minute++) {
      clock.advance(60_000)
      await scheduler!.idle()
      await system.idle()
    }
    const runs = await Effect.runPromise(
      storage.sql<{ to_address: string; type: string; payload: unknown }>`
        SELECT to_address, type, payload FROM journal WHERE from_address = 'scheduler'`,
    )
    const count = (address: string) => runs.filter((run) => run.to_address === address).length
    expect([count("sandbox"), count("guardian"), count("conquest"), count("imperium")]).toEqual([30, 2, 1, 1])
    expect(runs).toContainEqual({
      to_address: "guardian",
      type: "guardian.scan.request",
      payload: { workspace: "default" },
    })
    expect(runs).toContainEqual({
      to_address: "imperium",
      type: "imperium.cycle.start",
      payload: { trigger: "schedule" },
    })
    expect(refused.filter((event) => event.from === "guardian")).toMatchObject([
      { payload: { messageType: "guardian.scan.request", issue: 6 } },
      { payload: { messageType: "guardian.scan.request", issue: 6 } },
    ])

    await scheduler!.stop()
    await system.shutdown({ timeoutMs: 5000 })
    await storage.close()
  })
})
