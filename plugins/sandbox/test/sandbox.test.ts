// The sandbox plugin hosted by the SDK's test kit: its status is real, bad input and bad config are
// refused, and runs (and kills) are refused as not built (issue #6) without leaving idle.
import { afterEach, describe, expect, it } from "vitest"
import { testPlugin } from "lvlup/sdk"
import type { PluginTestKit } from "lvlup/sdk"
import sandbox from "../src/index.js"

let kit: PluginTestKit | undefined
const start = (config?: unknown) => (kit = testPlugin(sandbox, config === undefined ? {} : { config }))
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

describe("sandbox", () => {
  it("loads and answers status with its state and default config", async () => {
    const kit = start()
    expect(kit.actor("sandbox")?.status).toBe("running")
    expect(await kit.ask("sandbox", { type: "status", payload: {} })).toEqual({
      plugin: "sandbox",
      state: "idle",
      config: { experimentIntervalSeconds: 2700 },
      handled: 1,
    })
  })

  it("reports the config it was given", async () => {
    const kit = start({ experimentIntervalSeconds: 60 })
    expect(await kit.ask("sandbox", { type: "status" })).toMatchObject({
      config: { experimentIntervalSeconds: 60 },
    })
  })

  it("refuses an invalid payload", async () => {
    const kit = start()
    const error = await failureOf(
      kit.ask("sandbox", { type: "sandbox.run.request", payload: { language: "cobol", source: "x" } }),
    )
    expect(error._tag).toBe("InvalidMessage")
  })

  it.each([
    ["sandbox.run.request", { language: "python", source: "print(1)", timeoutSeconds: 5 }, "sandbox runs"],
    ["sandbox.run.kill", { runId: "run-1" }, "stopping sandbox runs"],
  ])("refuses %s as not implemented (issue #6) and stays idle", async (type, payload, area) => {
    const kit = start()
    const error = await failureOf(kit.ask("sandbox", { type, payload }))
    expect(error).toMatchObject({ _tag: "ReplyError", code: "NotImplemented", details: { area, issue: 6 } })
    expect(error.message).toContain("issue #6")
    expect(kit.state("sandbox")?.value).toBe("idle")
    expect(await kit.ask("sandbox", { type: "status" })).toMatchObject({ state: "idle", handled: 2 })
    expect(kit.events.filter((event) => event.type === "sandbox.work.refused")).toMatchObject([
      { topic: "sandbox", payload: { messageType: type, area, issue: 6 } },
    ])
  })

  it("records when a run request last moved it", async () => {
    const kit = start()
    const envelope = kit.tell("sandbox", {
      type: "sandbox.run.request",
      payload: { language: "shell", source: "ls" },
    })
    await kit.settle()
    expect(await kit.ask("sandbox", { type: "status" })).toMatchObject({
      state: "idle",
      since: envelope.sentAt,
    })
  })

  it.each([0, -5, 1.5, "2700"])(
    "does not load with experimentIntervalSeconds %j",
    (experimentIntervalSeconds) => {
      expect(loadFailure({ experimentIntervalSeconds })).toMatchObject({
        _tag: "PluginLoadError",
        code: "PLUGIN_BAD_CONFIG",
      })
    },
  )
})
