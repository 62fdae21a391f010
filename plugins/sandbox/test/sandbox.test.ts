// The sandbox plugin hosted by the SDK's test kit: its status is real, bad input is refused, its seed
// schedule is declared, and runs (and kills) are refused as not built (issue #6) without leaving idle.
import { afterEach, describe, expect, it } from "vitest"
import { testPlugin } from "lvlup/sdk"
import type { PluginTestKit } from "lvlup/sdk"
import sandbox from "../src/index.js"

let kit: PluginTestKit | undefined
const start = () => (kit = testPlugin(sandbox))
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail("the ask should have been refused"),
    (error: unknown) => error as { _tag: string; code?: string; message: string; details?: unknown },
  )
afterEach(async () => {
  await kit?.close()
  kit = undefined
})

describe("sandbox", () => {
  it("loads with no config and answers status with its state and counters", async () => {
    expect(sandbox.config).toBeUndefined()
    const kit = start()
    expect(kit.actor("sandbox")?.status).toBe("running")
    expect(await kit.ask("sandbox", { type: "status", payload: {} })).toStrictEqual({
      plugin: "sandbox",
      state: "idle",
      handled: 1,
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

  it("declares its seed schedule: every 2700 s, overridden by SANDBOX_EXPERIMENT_INTERVAL", () => {
    expect(sandbox.schedules).toEqual([
      {
        name: "experiment",
        every: { seconds: 2700, variable: "SANDBOX_EXPERIMENT_INTERVAL" },
        message: {
          type: "sandbox.run.request",
          payload: { language: "javascript", source: "// scheduled sandbox experiment" },
        },
        missed: "skip",
      },
    ])
  })

  it("accepts its scheduled message as the scheduler sends it, refusing the work as not built yet", async () => {
    const kit = start()
    const message = sandbox.schedules?.[0]?.message ?? expect.fail("no schedule declared")
    kit.tell("sandbox", message)
    await kit.settle()
    expect(kit.problems).toEqual([])
    expect(kit.state("sandbox")?.value).toBe("idle")
    expect(kit.events.filter((event) => event.type === "sandbox.work.refused")).toMatchObject([
      { topic: "sandbox", payload: { messageType: message.type, area: "sandbox runs", issue: 6 } },
    ])
  })
})
