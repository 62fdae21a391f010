// The imperium plugin hosted by the SDK's test kit: its status is real, bad input and bad config are
// refused, and learning cycles are refused as not built (issue #7) without leaving idle.
import { afterEach, describe, expect, it } from "vitest"
import { testPlugin } from "lvlup/sdk"
import type { PluginTestKit } from "lvlup/sdk"
import imperium from "../src/index.js"

let kit: PluginTestKit | undefined
const start = (config?: unknown) => (kit = testPlugin(imperium, config === undefined ? {} : { config }))
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail("the ask should have been refused"),
    (error: unknown) => error as { _tag: string; code?: string; message: string; details?: unknown },
  )
const loadFailure = (config: unknown) => {
  try {
    start(config)
  } catch (error) {
    return error
  }
  return expect.fail("the plugin should not have loaded")
}

afterEach(async () => {
  await kit?.close()
  kit = undefined
})

describe("imperium", () => {
  it("loads and answers status with its state and default config", async () => {
    const kit = start()
    expect(kit.actor("imperium")?.status).toBe("running")
    expect(await kit.ask("imperium", { type: "status", payload: {} })).toEqual({
      plugin: "imperium",
      state: "idle",
      config: { learningIntervalSeconds: 1800 },
      handled: 1,
    })
  })

  it("reports the config it was given", async () => {
    const kit = start({ learningIntervalSeconds: 60 })
    expect(await kit.ask("imperium", { type: "status" })).toMatchObject({
      config: { learningIntervalSeconds: 60 },
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

  it.each([0, -5, 1.5, "1800"])(
    "does not load with learningIntervalSeconds %j",
    (learningIntervalSeconds) => {
      expect(loadFailure({ learningIntervalSeconds })).toMatchObject({
        _tag: "PluginLoadError",
        code: "PLUGIN_BAD_CONFIG",
      })
    },
  )
})
