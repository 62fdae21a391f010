// The conquest plugin hosted by the SDK's test kit: its status is real, bad input is refused, its seed
// schedule is declared, and benchmarks and KPIs are refused as not built (issue #7) without leaving idle.
import { afterEach, describe, expect, it } from "vitest"
import { testPlugin } from "lvlup/sdk"
import type { PluginTestKit } from "lvlup/sdk"
import conquest from "../src/index.js"

let kit: PluginTestKit | undefined
const start = () => (kit = testPlugin(conquest))
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail("the ask should have been refused"),
    (error: unknown) => error as { _tag: string; code?: string; message: string; details?: unknown },
  )
afterEach(async () => {
  await kit?.close()
  kit = undefined
})

describe("conquest", () => {
  it("loads with no config and answers status with its state and counters", async () => {
    expect(conquest.config).toBeUndefined()
    const kit = start()
    expect(kit.actor("conquest")?.status).toBe("running")
    expect(await kit.ask("conquest", { type: "status", payload: {} })).toStrictEqual({
      plugin: "conquest",
      state: "idle",
      handled: 1,
    })
  })

  it("refuses an invalid payload", async () => {
    const kit = start()
    const error = await failureOf(
      kit.ask("conquest", {
        type: "conquest.benchmark.request",
        payload: { workspace: "/srv", iterations: 0 },
      }),
    )
    expect(error._tag).toBe("InvalidMessage")
  })

  it.each([
    ["conquest.benchmark.request", { workspace: "/srv/demo", iterations: 10 }, "conquest benchmarks"],
    ["conquest.kpi.request", { kpis: ["error-rate"] }, "conquest KPIs"],
  ])("refuses %s as not implemented (issue #7) and stays idle", async (type, payload, area) => {
    const kit = start()
    const error = await failureOf(kit.ask("conquest", { type, payload }))
    expect(error).toMatchObject({ _tag: "ReplyError", code: "NotImplemented", details: { area, issue: 7 } })
    expect(error.message).toContain("issue #7")
    expect(kit.state("conquest")?.value).toBe("idle")
    expect(await kit.ask("conquest", { type: "status" })).toMatchObject({ state: "idle", handled: 2 })
    expect(kit.events.filter((event) => event.type === "conquest.work.refused")).toMatchObject([
      { topic: "conquest", payload: { messageType: type, area, issue: 7 } },
    ])
  })

  it("declares its seed schedule: every 1200 s, overridden by CONQUEST_ANALYSIS_INTERVAL", () => {
    expect(conquest.schedules).toEqual([
      {
        name: "analysis",
        every: { seconds: 1200, variable: "CONQUEST_ANALYSIS_INTERVAL" },
        message: { type: "conquest.benchmark.request", payload: { workspace: "default" } },
        missed: "run-once",
      },
    ])
  })

  it("accepts its scheduled message as the scheduler sends it, refusing the work as not built yet", async () => {
    const kit = start()
    const message = conquest.schedules?.[0]?.message ?? expect.fail("no schedule declared")
    kit.tell("conquest", message)
    await kit.settle()
    expect(kit.problems).toEqual([])
    expect(kit.state("conquest")?.value).toBe("idle")
    expect(kit.events.filter((event) => event.type === "conquest.work.refused")).toMatchObject([
      {
        topic: "conquest",
        payload: { messageType: message.type, area: "conquest benchmarks", issue: 7 },
      },
    ])
  })
})
