// The guardian plugin hosted by the SDK's test kit: its status is real, bad input is refused, its seed
// schedule is declared, and scans and reviews are refused as not built (issue #6) without leaving idle.
import { afterEach, describe, expect, it } from "vitest"
import { testPlugin } from "lvlup/sdk"
import type { PluginTestKit } from "lvlup/sdk"
import guardian from "../src/index.js"

let kit: PluginTestKit | undefined
const start = () => (kit = testPlugin(guardian))
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail("the ask should have been refused"),
    (error: unknown) => error as { _tag: string; code?: string; message: string; details?: unknown },
  )

afterEach(async () => {
  await kit?.close()
  kit = undefined
})

describe("guardian", () => {
  it("loads with no config and answers status with its state and counters", async () => {
    expect(guardian.config).toBeUndefined()
    const kit = start()
    expect(kit.actor("guardian")?.status).toBe("running")
    expect(await kit.ask("guardian", { type: "status", payload: {} })).toStrictEqual({
      plugin: "guardian",
      state: "idle",
      handled: 1,
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

  it("declares its seed schedule: every 900 s, overridden by GUARDIAN_SCAN_INTERVAL", () => {
    expect(guardian.schedules).toEqual([
      {
        name: "scan",
        every: { seconds: 900, variable: "GUARDIAN_SCAN_INTERVAL" },
        message: { type: "guardian.scan.request", payload: { workspace: "default" } },
        missed: "run-once",
      },
    ])
  })

  it("accepts its scheduled message as the scheduler sends it, refusing the work as not built yet", async () => {
    const kit = start()
    const message = guardian.schedules?.[0]?.message ?? expect.fail("no schedule declared")
    kit.tell("guardian", message)
    await kit.settle()
    expect(kit.problems).toEqual([])
    expect(kit.state("guardian")?.value).toBe("idle")
    expect(kit.events.filter((event) => event.type === "guardian.work.refused")).toMatchObject([
      {
        topic: "guardian",
        payload: { messageType: message.type, area: "guardian workspace scan", issue: 6 },
      },
    ])
  })
})
