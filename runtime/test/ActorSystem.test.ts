import { describe, expect, it } from "vitest"
import { ActorSystem } from "../ActorSystem.js"
import { ManualClock } from "../Clock.js"
import type { TopicEvent } from "../Topics.js"
import { testPlugin } from "../Testing.js"
import { counterPlugin, doorPlugin, recorderPlugin, relayPlugin } from "./fixtures.js"

const errorOf = (fn: () => unknown): { _tag?: string; message?: string } => {
  try {
    fn()
  } catch (error) {
    return error as { _tag?: string; message?: string }
  }
  throw new Error("expected an error")
}

describe("ActorSystem messaging", () => {
  it("tell enqueues, the actor processes, ask returns the reply", async () => {
    const system = new ActorSystem()
    system.host(counterPlugin())
    const envelope = system.tell("counter", { type: "inc", payload: { by: 2 } })
    expect(envelope).toMatchObject({ to: "counter", from: "external", type: "inc", payload: { by: 2 } })
    expect(envelope.correlationId).toBe(envelope.id)
    // Plain data: what is journaled or sent across machines has every field.
    expect(JSON.parse(JSON.stringify(envelope))).toEqual({
      id: envelope.id,
      type: "inc",
      payload: { by: 2 },
      from: "external",
      to: "counter",
      correlationId: envelope.id,
      causationId: null,
      sentAt: envelope.sentAt,
    })
    system.tell("counter", { type: "inc" }) // schema default: by = 1
    await expect(system.ask("counter", { type: "get" })).resolves.toEqual({ count: 3 })
    expect(system.actor("counter")).toMatchObject({ status: "running", processed: 3, mailboxDepth: 0 })
    await system.shutdown()
  })

  it("refuses an unknown address, an unknown type and an invalid payload with typed errors", async () => {
    const system = new ActorSystem()
    system.host(counterPlugin())
    expect(errorOf(() => system.tell("nobody", { type: "inc" }))).toMatchObject({ _tag: "UnknownAddress" })
    const unknownType = errorOf(() => system.tell("counter", { type: "explode" }))
    expect(unknownType._tag).toBe("InvalidMessage")
    expect(unknownType.message).toContain("inc, get, slow")
    const badPayload = errorOf(() => system.tell("counter", { type: "inc", payload: { by: "two" } }))
    expect(badPayload._tag).toBe("InvalidMessage")
    expect(badPayload.message).toContain('["by"]')
    const extra = errorOf(() => system.tell("counter", { type: "inc", payload: { by: 1, byy: 2 } }))
    expect(extra).toMatchObject({ _tag: "InvalidMessage" })
    expect(extra.message).toContain('["byy"]')
    await expect(system.ask("nobody", { type: "get" })).rejects.toMatchObject({ _tag: "UnknownAddress" })
    await system.shutdown()
  })

  it("times out an ask that gets no reply, with a typed error", async () => {
    const clock = new ManualClock()
    const system = new ActorSystem({ clock })
    system.host(counterPlugin())
    const asked = system.ask("counter", { type: "inc" }, { timeoutMs: 250 }) // inc never replies
    await system.idle()
    clock.advance(249)
    let settled = false
    asked.catch(() => {}).finally(() => (settled = true))
    await Promise.resolve()
    expect(settled).toBe(false)
    clock.advance(1)
    await expect(asked).rejects.toMatchObject({ _tag: "AskTimeout", address: "counter", timeoutMs: 250 })
    await system.shutdown()
  })

  it("refuses with MailboxFull naming the address when the bounded mailbox is full, and drops nothing", async () => {
    const system = new ActorSystem()
    system.host(counterPlugin("small", 5))
    for (let i = 0; i < 5; i++) system.tell("small", { type: "inc" })
    const full = errorOf(() => system.tell("small", { type: "inc" }))
    expect(full).toMatchObject({ _tag: "MailboxFull", address: "small", capacity: 5 })
    expect(full.message).toContain('"small"')
    await system.idle()
    await expect(system.ask("small", { type: "get" })).resolves.toEqual({ count: 5 })
    expect(system.stats.deadLetters).toBe(0)
    await system.shutdown()
  })

  it("keeps FIFO order per sender→receiver pair under load from interleaved senders", async () => {
    const system = new ActorSystem({ throughput: 7 })
    system.host(recorderPlugin())
    for (const relay of ["r1", "r2", "r3"]) system.host(relayPlugin(relay))
    const perSender = 2000
    for (let seq = 0; seq < perSender; seq++)
      for (const relay of ["r1", "r2", "r3"])
        system.tell(relay, { type: "forward", payload: { to: "recorder", seq } })
    await system.idle()
    const got = (await system.ask("recorder", { type: "dump" })) as Array<{ from: string; seq: number }>
    expect(got).toHaveLength(3 * perSender)
    for (const relay of ["r1", "r2", "r3"]) {
      const seqs = got.filter((m) => m.from === relay).map((m) => m.seq)
      expect(seqs).toEqual(Array.from({ length: perSender }, (_, i) => i))
    }
    await system.shutdown()
  })

  it("carries correlation and causation ids from a request through everything done on its behalf", async () => {
    const system = new ActorSystem()
    system.host(recorderPlugin())
    system.host(relayPlugin())
    const events: TopicEvent[] = []
    system.subscribe("counter", (event) => void events.push(event))
    const original = system.tell("relay", { type: "forward", payload: { to: "recorder", seq: 1 } })
    await system.idle()
    const [got] = (await system.ask("recorder", { type: "dump" })) as Array<{
      from: string
      causationId: string
      correlationId: string
    }>
    expect(got).toEqual({
      from: "relay",
      seq: 1,
      causationId: original.id,
      correlationId: original.correlationId,
    })
    await system.shutdown()
  })

  it("publishes declared events to topic subscribers and refuses undeclared ones", async () => {
    const system = new ActorSystem()
    system.host(counterPlugin())
    const seen: TopicEvent[] = []
    const unsubscribe = system.subscribe("counter", (event) => void seen.push(event))
    const wildcard: TopicEvent[] = []
    system.subscribe("count*", (event) => void wildcard.push(event))
    const sent = system.tell("counter", { type: "inc", payload: { by: 4 } })
    await system.idle()
    expect(seen).toHaveLength(1)
    expect(seen[0]).toMatchObject({
      topic: "counter",
      type: "counter.changed",
      payload: { count: 4 },
      from: "counter",
      causationId: sent.id,
      correlationId: sent.correlationId,
    })
    expect(wildcard).toHaveLength(1)
    unsubscribe()
    system.tell("counter", { type: "inc" })
    await system.idle()
    expect(seen).toHaveLength(1)
    expect(wildcard).toHaveLength(2)
    await system.shutdown()
  })

  it("asks another actor from an invoked Effect program and replies to the original request later", async () => {
    const system = new ActorSystem()
    system.host(counterPlugin())
    system.host(relayPlugin())
    system.tell("counter", { type: "inc", payload: { by: 7 } })
    await expect(
      system.ask("relay", { type: "relay.ask-through", payload: { to: "counter" } }),
    ).resolves.toEqual({
      via: "relay",
      got: { count: 7 },
    })
    await system.shutdown()
  })

  it("spawns child actors at sub-addresses that receive messages and stop with their parent", async () => {
    const system = new ActorSystem()
    system.host(relayPlugin())
    system.tell("relay", { type: "relay.spawn", payload: { name: "w1" } })
    await system.idle()
    expect(system.actor("relay/w1")).toMatchObject({ plugin: "relay", kind: "worker", parent: "relay" })
    system.tell("relay/w1", { type: "inc", payload: { by: 3 } })
    await expect(system.ask("relay/w1", { type: "get" })).resolves.toEqual({ count: 3 })
    system.stop("relay")
    expect(system.actor("relay/w1")).toBeUndefined()
    expect(errorOf(() => system.tell("relay/w1", { type: "get" }))._tag).toBe("UnknownAddress")
    expect(
      errorOf(() => system.tell("relay", { type: "relay.spawn", payload: { name: "x" } })),
    ).toMatchObject({
      _tag: "ActorUnavailable",
      status: "stopped",
    })
    await system.shutdown()
  })

  it("streams state transitions on system.transitions only while someone listens", async () => {
    const system = new ActorSystem()
    system.host(relayPlugin())
    system.tell("relay", { type: "relay.spawn", payload: { name: "w" } })
    await system.idle()
    const transitions: TopicEvent[] = []
    const stop = system.subscribe("system.transitions", (event) => void transitions.push(event))
    system.tell("relay/w", { type: "inc" })
    await system.idle()
    expect(transitions.map((t) => t.payload)).toContainEqual(
      expect.objectContaining({ address: "relay/w", event: "inc", status: "active" }),
    )
    stop()
    const before = transitions.length
    system.tell("relay/w", { type: "inc" })
    await system.idle()
    expect(transitions.length).toBe(before)
    await system.shutdown()
  })

  it("lists actors with address, plugin, state, status, mailbox depth and restarts", async () => {
    const system = new ActorSystem()
    system.host(counterPlugin())
    system.host(relayPlugin())
    expect(system.actors().map((a) => a.address)).toEqual(["counter", "relay"])
    expect(system.actor("relay")).toEqual({
      address: "relay",
      plugin: "relay",
      kind: null,
      parent: null,
      state: "ready",
      status: "running",
      mailboxDepth: 0,
      mailboxCapacity: 100_000,
      restarts: 0,
      processed: 0,
      lastError: null,
    })
    expect(system.plugins().find((p) => p.name === "relay")).toMatchObject({ children: ["worker"] })
    await system.shutdown()
  })
})

describe("ActorSystem answers instead of leaving callers waiting", () => {
  it("fails an ask that the actor's current state does not handle at once, naming the state", async () => {
    const system = new ActorSystem({ clock: new ManualClock() })
    system.host(doorPlugin())
    await expect(system.ask("door", { type: "close" })).rejects.toMatchObject({
      _tag: "ReplyError",
      code: "UnhandledInState",
      reason: '"close" is not handled in state "closed"',
    })
    await expect(system.ask("door", { type: "open" })).resolves.toEqual({ opened: true })
    await expect(system.ask("door", { type: "close" })).resolves.toEqual({ closed: true })
    await system.shutdown()
  })

  it("runs the machines' delayed transitions on the system's clock", async () => {
    const clock = new ManualClock()
    const system = new ActorSystem({ clock })
    system.host(doorPlugin())
    await system.ask("door", { type: "open" })
    clock.advance(999)
    expect(system.actor("door")?.state).toBe("open")
    clock.advance(1)
    expect(system.actor("door")?.state).toBe("closed")
    await system.shutdown()
  })

  it("tells a parent that accepts childMessages when its child fails", async () => {
    const system = new ActorSystem({ clock: new ManualClock() })
    system.host(doorPlugin())
    system.tell("door", { type: "door.spawn-fragile", payload: { name: "f1" } })
    await system.idle()
    system.tell("door/f1", { type: "crash" })
    await system.idle()
    expect(system.actor("door/f1")?.status).toBe("failed")
    await expect(system.ask("door", { type: "where" })).resolves.toMatchObject({
      reports: [{ address: "door/f1", name: "f1", reason: "boom" }],
    })
    await system.shutdown()
  })

  it("sends what an Effect program sends on behalf of the message that started it", async () => {
    const kit = testPlugin(relayPlugin(), { stubs: { counter: { get: () => ({ count: 9 }) } } })
    const request = kit.system.ask("relay", { type: "relay.ask-through", payload: { to: "counter" } })
    await expect(request).resolves.toEqual({ via: "relay", got: { count: 9 } })
    const [received] = kit.received.get("counter") ?? []
    const original = (kit.state("relay")?.context as { pending: { id: string; correlationId: string } })
      .pending
    expect(received).toMatchObject({
      from: "relay",
      causationId: original.id,
      correlationId: original.correlationId,
    })
    expect(kit.problems).toEqual([])
    await kit.close()
  })
})

describe("ActorSystem shutdown", () => {
  it("refuses new outside messages, drains in-flight ones (incl. actor-to-actor) and stops every actor", async () => {
    const system = new ActorSystem()
    system.host(recorderPlugin())
    system.host(relayPlugin())
    for (let seq = 0; seq < 2000; seq++)
      system.tell("relay", { type: "forward", payload: { to: "recorder", seq } })
    const stopping = system.shutdown({ timeoutMs: 10_000 })
    expect(errorOf(() => system.tell("recorder", { type: "record", payload: { seq: -1 } }))._tag).toBe(
      "ShuttingDown",
    )
    const report = await stopping
    expect(report).toEqual({ drained: true, undelivered: 0 })
    expect(system.actors().every((a) => a.status === "stopped")).toBe(true)
    // Every forwarded message reached the recorder before it stopped.
    const recorder = system.actor("recorder")
    expect(recorder?.processed).toBe(2000)
  })

  it("reports what could not be delivered before the timeout instead of hiding it", async () => {
    const system = new ActorSystem({ throughput: 1 })
    system.host(counterPlugin())
    for (let i = 0; i < 50; i++) system.tell("counter", { type: "slow", payload: { ms: 20 } })
    const report = await system.shutdown({ timeoutMs: 100 })
    expect(report.drained).toBe(false)
    expect(report.undelivered).toBeGreaterThan(0)
    expect(system.stats.deadLetters).toBe(report.undelivered)
  })
})
