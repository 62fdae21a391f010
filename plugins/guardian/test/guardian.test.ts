// The guardian plugin hosted by the SDK's test kit: its status is real, bad input and bad config are
// refused, and scans and reviews are refused as not built (issue #6) without leaving idle.
import { afterEach, describe, expect, it } from "vitest"
import { testPlugin } from "lvlup/sdk"
import type { PluginTestKit } from "lvlup/sdk"
import guardian from "../src/index.js"

let kit: PluginTestKit | undefined
const start = (config?: unknown) => (kit = testPlugin(guardian, config === undefined ? {} : { config }))
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

describe("guardian", () => {
  it("loads and answers status with its state and default config", async () => {
    const kit = start()
    expect(kit.actor("guardian")?.status).toBe("running")
    expect(await kit.ask("guardian", { type: "status", payload: {} })).toEqual({
      plugin: "guardian",
      state: "idle",
      config: { scanIntervalSeconds: 900 },
      handled: 1,
    })
  })

  it("reports the config it was given", async () => {
    const kit = start({ scanIntervalSeconds: 60 })
    expect(await kit.ask("guardian", { type: "status" })).toMatchObject({
      config: { scanIntervalSeconds: 60 },
    })
  })

  it("refuses an invalid payload", async () => {
    const kit = start()
    const error = await failureOf(
      kit.ask("guardian", { type: "guardian.scan.request", payload: { workspace: "" } }),
    )
    expect(error._tag).toBe("InvalidMessage")
  })

  it.each([
    ["guardian.scan.request", { workspace: "/srv/demo" }, "guardian workspace scan"],
    [
      "guardian.review.request",
      { proposalId: "p-1", diff: "--- a/x\n+++ b/x\n" },
      "guardian proposal review",
    ],
  ])("refuses %s as not implemented (issue #6) and stays idle", async (type, payload, area) => {
    const kit = start()
    const error = await failureOf(kit.ask("guardian", { type, payload }))
    expect(error).toMatchObject({ _tag: "ReplyError", code: "NotImplemented", details: { area, issue: 6 } })
    expect(error.message).toContain("issue #6")
    expect(kit.state("guardian")?.value).toBe("idle")
    const status = await kit.ask("guardian", { type: "status" })
    expect(status).toMatchObject({ state: "idle", handled: 2, since: expect.any(Number) as unknown })
    expect(kit.events.filter((event) => event.type === "guardian.work.refused")).toMatchObject([
      { topic: "guardian", payload: { messageType: type, area, issue: 6 } },
    ])
  })

  it.each([0, -5, 1.5, "900"])("does not load with scanIntervalSeconds %j", (scanIntervalSeconds) => {
    expect(loadFailure({ scanIntervalSeconds })).toMatchObject({
      _tag: "PluginLoadError",
      code: "PLUGIN_BAD_CONFIG",
    })
  })
})
