// The imperium plugin hosted by the SDK's test kit: its status is real, bad input is refused, its seed
// schedule is declared, and learning cycles are refused as not built (issue #7) without leaving idle.
import { afterEach, describe, expect, it } from "vitest"
import { testPlugin } from "lvlup/sdk"
import type { PluginTestKit } from "lvlup/sdk"
import imperium from "../src/index.js"

let kit: PluginTestKit | undefined
const start = () => (kit = testPlugin(imperium))
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail("the ask should have been refused"),
    (error: unknown) => error as { _tag: string; code?: string; message: string; details?: unknown },
  )
afterEach(async () => {
  await kit?.close()
  kit = undefined
})

describe("imperium", () => {
  it("loads with no config and answers status with its state and counters", async () => {
    expect(imperium.config).toBeUndefined()
    const kit = start()
    expect(kit.actor("imperium")?.status).toBe("running")
    expect(await kit.ask("imperium", { type: "status", payload: {} })).toStrictEqual({
      plugin: "imperium",
      state: "idle",
      handled: 1,
    })
  })

  it("refuses an invalid payload", async () => {
    const kit = start()
    const error = await failureOf(
      kit.ask("imperium", { type: "imperium.cycle.start", payload: { trigger: "sometimes" } }),
    )
    expect(error._tag).toBe("InvalidMessage")
  })

  it.each([
    ["imperium.cycle.start", { trigger: "schedule" }, "imperium learning cycle"],
    ["imperium.cycle.start", {}, "imperium learning cycle"],
    ["imperium.cycle.query", { cycleId: "cycle-1" }, "imperium learning cycle history"],
  ])("refuses %s %j as not implemented (issue #7) and stays idle", async (type, payload, area) => {
    const kit = start()
    const error = await failureOf(kit.ask("imperium", { type, payload }))
    expect(error).toMatchObject({ _tag: "ReplyError", code: "NotImplemented", details: { area, issue: 7 } })
    expect(error.message).toContain("issue #7")
    expect(kit.state("imperium")?.value).toBe("idle")
    expect(await kit.ask("imperium", { type: "status" })).toMatchObject({ state: "idle", handled: 2 })
    expect(kit.events.filter((event) => event.type === "imperium.work.refused")).toMatchObject([
      { topic: "imperium", payload: { messageType: type, area, issue: 7 } },
    ])
  })

  it("declares its seed schedule: every 1800 s, overridden by IMPERIUM_LEARNING_INTERVAL", () => {
    expect(imperium.schedules).toEqual([
      {
        name: "learning",
        every: { seconds: 1800, variable: "IMPERIUM_LEARNING_INTERVAL" },
        message: { type: "imperium.cycle.start", payload: { trigger: "schedule" } },
        missed: "run-once",
      },
    ])
  })

  it("accepts its scheduled message as the scheduler sends it, refusing the work as not built yet", async () => {
    const kit = start()
    const message = imperium.schedules?.[0]?.message ?? expect.fail("no schedule declared")
    kit.tell("imperium", message)
    await kit.settle()
    expect(kit.problems).toEqual([])
    expect(kit.state("imperium")?.value).toBe("idle")
    expect(kit.events.filter((event) => event.type === "imperium.work.refused")).toMatchObject([
      {
        topic: "imperium",
        payload: { messageType: message.type, area: "imperium learning cycle", issue: 7 },
      },
    ])
  })
})
