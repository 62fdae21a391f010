// The custody plugin hosted by the SDK's test kit: its status is real, bad input and bad config are
// refused, tests and XP are refused as not built (issue #7), and eligibility follows the config.
import { afterEach, describe, expect, it } from "vitest"
import { testPlugin } from "lvlup/sdk"
import type { PluginTestKit } from "lvlup/sdk"
import custody from "../src/index.js"

let kit: PluginTestKit | undefined
const start = (config?: unknown) => (kit = testPlugin(custody, config === undefined ? {} : { config }))
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

describe("custody", () => {
  it("loads and answers status with its state and default config", async () => {
    const kit = start()
    expect(kit.actor("custody")?.status).toBe("running")
    expect(await kit.ask("custody", { type: "status", payload: {} })).toEqual({
      plugin: "custody",
      state: "idle",
      config: { eligibilityDefault: "allow" },
      handled: 1,
    })
  })

  it("reports the config it was given", async () => {
    const kit = start({ eligibilityDefault: "deny" })
    expect(await kit.ask("custody", { type: "status" })).toMatchObject({
      config: { eligibilityDefault: "deny" },
    })
  })

  it("refuses an invalid payload", async () => {
    const kit = start()
    const error = await failureOf(
      kit.ask("custody", { type: "custody.eligibility.query", payload: { agent: "Not An Agent" } }),
    )
    expect(error._tag).toBe("InvalidMessage")
  })

  it.each([
    ["custody.test.request", "custody tests"],
    ["custody.agent.query", "custody XP and levels"],
  ])("refuses %s as not implemented (issue #7) and stays idle", async (type, area) => {
    const kit = start()
    const error = await failureOf(kit.ask("custody", { type, payload: { agent: "guardian" } }))
    expect(error).toMatchObject({ _tag: "ReplyError", code: "NotImplemented", details: { area, issue: 7 } })
    expect(error.message).toContain("issue #7")
    expect(kit.state("custody")?.value).toBe("idle")
    expect(await kit.ask("custody", { type: "status" })).toMatchObject({ state: "idle", handled: 2 })
    expect(kit.events.filter((event) => event.type === "custody.work.refused")).toMatchObject([
      { topic: "custody", payload: { messageType: type, area, issue: 7 } },
    ])
  })

  it.each([
    [undefined, true, "allow"],
    [{ eligibilityDefault: "allow" }, true, "allow"],
    [{ eligibilityDefault: "deny" }, false, "deny"],
  ])("with config %j answers eligibility %s, saying why", async (config, eligible, setting) => {
    const kit = start(config)
    expect(
      await kit.ask("custody", { type: "custody.eligibility.query", payload: { agent: "sandbox" } }),
    ).toEqual({
      agent: "sandbox",
      eligible,
      reason: `custody tests are not implemented yet (issue #7); eligibility follows config eligibilityDefault=${setting}`,
    })
    expect(kit.state("custody")?.value).toBe("idle")
  })

  it.each(["maybe", true, null])("does not load with eligibilityDefault %j", (eligibilityDefault) => {
    expect(loadFailure({ eligibilityDefault })).toMatchObject({
      _tag: "PluginLoadError",
      code: "PLUGIN_BAD_CONFIG",
    })
  })
})
