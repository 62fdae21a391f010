// The conquest plugin hosted by the SDK's test kit: its status is real, bad input and bad config are
// refused, and benchmarks and KPIs are refused as not built (issue #7) without leaving idle.
import { afterEach, describe, expect, it } from "vitest"
import { testPlugin } from "lvlup/sdk"
import type { PluginTestKit } from "lvlup/sdk"
import conquest from "../src/index.js"

let kit: PluginTestKit | undefined
const start = (config?: unknown) => (kit = testPlugin(conquest, config === undefined ? {} : { config }))
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

describe("conquest", () => {
  it("loads and answers status with its state and default config", async () => {
    const kit = start()
    expect(kit.actor("conquest")?.status).toBe("running")
    expect(await kit.ask("conquest", { type: "status", payload: {} })).toEqual({
      plugin: "conquest",
      state: "idle",
      config: { analysisIntervalSeconds: 1200 },
      handled: 1,
    })
  })

  it("reports the config it was given", async () => {
    const kit = start({ analysisIntervalSeconds: 60 })
    expect(await kit.ask("conquest", { type: "status" })).toMatchObject({
      config: { analysisIntervalSeconds: 60 },
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

  it.each([0, -5, 1.5, "1200"])(
    "does not load with analysisIntervalSeconds %j",
    (analysisIntervalSeconds) => {
      expect(loadFailure({ analysisIntervalSeconds })).toMatchObject({
        _tag: "PluginLoadError",
        code: "PLUGIN_BAD_CONFIG",
      })
    },
  )
})
