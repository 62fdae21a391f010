import { describe, expect, it } from "vitest"
import { ActorSystem } from "../ActorSystem.js"
import { ManualClock } from "../Clock.js"
import { Supervision, backoffDelay, defaultSupervision } from "../Supervision.js"
import type { TopicEvent } from "../Topics.js"
import { counterPlugin, crasherPlugin } from "./fixtures.js"

/** A system on a simulated clock with jitter pinned to its midpoint, recording supervision events. */
const setup = () => {
  const clock = new ManualClock()
  const system = new ActorSystem({ clock, random: () => 0.5 })
  const events: TopicEvent[] = []
  system.subscribe("system.supervision", (event) => void events.push(event))
  const ofType = (type: string) =>
    events.filter((e) => e.type === type).map((e) => e.payload as Record<string, unknown>)
  return { clock, system, events, ofType }
}

const backoff = Supervision.restartWithBackoff({ min: "100 millis", max: "300 millis", jitter: 0.2 })

describe("supervision", () => {
  it("restarts a crashed actor after its backoff; the asker learns of the crash at once", async () => {
    const { clock, system, ofType } = setup()
    system.host(crasherPlugin("fragile", backoff))
    await expect(system.ask("fragile", { type: "crash" })).rejects.toMatchObject({
      _tag: "ActorCrashed",
      address: "fragile",
      messageType: "crash",
      reason: "boom",
    })
    expect(system.actor("fragile")).toMatchObject({ status: "restarting", lastError: "boom" })
    expect(ofType("actor.restarting")).toEqual([{ address: "fragile", attempt: 1, delayMs: 100 }])
    // A message sent while it restarts waits in the mailbox and is answered after the restart.
    const waiting = system.ask("fragile", { type: "ping" })
    clock.advance(99)
    expect(system.actor("fragile")?.status).toBe("restarting")
    clock.advance(1)
    expect(system.actor("fragile")).toMatchObject({ status: "running", restarts: 1 })
    await expect(waiting).resolves.toMatchObject({ pong: true })
    await system.shutdown()
  })

  it("doubles the backoff on each restart within the window, capped at the maximum", async () => {
    const { clock, system, ofType } = setup()
    system.host(crasherPlugin("fragile", backoff.withLimit(10, "1 minute")))
    for (let i = 0; i < 4; i++) {
      system.tell("fragile", { type: "crash" })
      await system.idle()
      clock.advance(1000)
    }
    expect(ofType("actor.restarting").map((e) => e.delayMs)).toEqual([100, 200, 300, 300])
    await system.shutdown()
  })

  it("escalates to failed after more than N restarts within T, while a neighbour keeps working", async () => {
    const { clock, system, ofType } = setup()
    system.host(crasherPlugin("fragile", backoff.withLimit(3, "1 minute")))
    system.host(counterPlugin("neighbour"))
    for (let i = 0; i < 3; i++) {
      system.tell("fragile", { type: "crash" })
      system.tell("neighbour", { type: "inc" })
      await system.idle()
      clock.advance(1000)
      expect(system.actor("fragile")?.status).toBe("running")
    }
    const queued = system.ask("fragile", { type: "ping" })
    system.tell("fragile", { type: "crash" })
    // the ping is answered first (FIFO), then the 4th crash within the minute escalates
    await expect(queued).resolves.toMatchObject({ pong: true })
    await system.idle()
    expect(system.actor("fragile")).toMatchObject({ status: "failed", restarts: 3 })
    expect(ofType("actor.failed")).toEqual([{ address: "fragile", reason: "boom", restarts: 3 }])
    await expect(system.ask("fragile", { type: "ping" })).rejects.toMatchObject({
      _tag: "ActorUnavailable",
      status: "failed",
    })
    await expect(system.ask("neighbour", { type: "get" })).resolves.toEqual({ count: 3 })
    expect(system.actor("neighbour")).toMatchObject({ status: "running", restarts: 0 })
    await system.shutdown()
  })

  it("never escalates crashes spaced further apart than the window", async () => {
    const { clock, system } = setup()
    system.host(crasherPlugin("fragile", backoff.withLimit(2, "10 seconds")))
    for (let i = 0; i < 6; i++) {
      system.tell("fragile", { type: "crash" })
      await system.idle()
      clock.advance(11_000)
    }
    expect(system.actor("fragile")).toMatchObject({ status: "running", restarts: 6 })
    await system.shutdown()
  })

  it("stops at the first crash under the stop strategy", async () => {
    const { system } = setup()
    system.host(crasherPlugin("brittle", Supervision.stop()))
    system.tell("brittle", { type: "crash" })
    await system.idle()
    expect(system.actor("brittle")).toMatchObject({ status: "failed", restarts: 0 })
    await system.shutdown()
  })

  it("restarts from the last good snapshot, or fresh, as the plugin declares", async () => {
    const { clock, system } = setup()
    system.host(crasherPlugin("keeper", backoff))
    system.host(crasherPlugin("forgetter", backoff.fresh()))
    for (const address of ["keeper", "forgetter"]) {
      system.tell(address, { type: "remember", payload: { value: "a" } })
      system.tell(address, { type: "crash" })
    }
    await system.idle()
    clock.advance(100)
    await expect(system.ask("keeper", { type: "ping" })).resolves.toEqual({ pong: true, remembered: ["a"] })
    await expect(system.ask("forgetter", { type: "ping" })).resolves.toEqual({ pong: true, remembered: [] })
    await system.shutdown()
  })

  it("treats an invoked Effect program that fails unhandled as a crash", async () => {
    const { clock, system, ofType } = setup()
    system.host(crasherPlugin("async", backoff.fresh()))
    system.tell("async", { type: "crash-async" })
    await system.idle()
    await new Promise((resolve) => setTimeout(resolve, 20)) // the program fails on a later tick
    expect(ofType("actor.crashed")).toEqual([
      { address: "async", reason: "async failure", messageType: null },
    ])
    clock.advance(100)
    expect(system.actor("async")).toMatchObject({ status: "running", state: "up", restarts: 1 })
    await system.shutdown()
  })

  it("lets an operator restart a failed actor, clearing its restart history", async () => {
    const { system } = setup()
    system.host(crasherPlugin("brittle", Supervision.stop()))
    system.tell("brittle", { type: "crash" })
    await system.idle()
    expect(system.restart("brittle")).toMatchObject({ status: "running", restarts: 1 })
    await expect(system.ask("brittle", { type: "ping" })).resolves.toMatchObject({ pong: true })
    await system.shutdown()
  })
})

describe("backoffDelay", () => {
  it("stays within min·2^(n-1) ± jitter and never above max·(1 + jitter)", () => {
    const strategy = Supervision.restartWithBackoff({ min: "1 second", max: "10 seconds", jitter: 0.25 })
    expect(backoffDelay(strategy, 1, () => 0)).toBe(750)
    expect(backoffDelay(strategy, 1, () => 0.999999)).toBe(1250)
    expect(backoffDelay(strategy, 3, () => 0.5)).toBe(4000)
    expect(backoffDelay(strategy, 10, () => 0.5)).toBe(10_000)
  })

  it("rejects impossible strategies and documents the default", () => {
    expect(() => Supervision.restartWithBackoff({ min: "2 seconds", max: "1 second" })).toThrow(RangeError)
    expect(() => Supervision.restartWithBackoff({ min: 0, max: 1, jitter: 2 })).toThrow(RangeError)
    expect(defaultSupervision).toMatchObject({
      _tag: "Restart",
      minBackoffMs: 200,
      maxBackoffMs: 30_000,
      maxRestarts: 5,
    })
  })
})
