// The greeter's own tests: each behaviour the plugin guide teaches, checked through the SDK's
// `testPlugin` (the same actor system production runs), with stubs standing in for the mailroom.
import { afterEach, describe, expect, it, vi } from "vitest"
import { ManualClock, Schema, assign, definePlugin, setup, testPlugin } from "lvlup/sdk"
import type { MessageEvents, PluginTestKit } from "lvlup/sdk"
import greeter from "../src/index.js"
import { greeterMachine } from "../src/machine.js"

const kits: PluginTestKit[] = []
const host = (...args: Parameters<typeof testPlugin>): PluginTestKit => {
  const kit = testPlugin(...args)
  kits.push(kit)
  return kit
}
afterEach(async () => {
  await Promise.all(kits.splice(0).map((kit) => kit.close()))
})

/** What a promise rejected with, or what a function threw (undefined if it did not fail). */
const failureOf = async (attempt: Promise<unknown> | (() => unknown)): Promise<unknown> => {
  try {
    await (typeof attempt === "function" ? attempt() : attempt)
  } catch (error) {
    return error
  }
  return undefined
}

/** A mailroom that takes every card and numbers its receipts. */
const mailroom = () => {
  let n = 0
  return {
    "mailroom.card.send": () => ({ receipt: `R-${++n}` }),
    "mailroom.card.recall": () => undefined,
  }
}

/** A mailroom that never answers, so a courier is still out while the test looks at it. */
const accepts = { "mailroom.card.send": Schema.Unknown }
const silentMailroom = definePlugin({
  name: "mailroom",
  version: "0.0.0",
  accepts,
  // Takes the card and never answers: the message is handled (counted), so only the courier's timeout ends the wait.
  machine: setup({
    types: { context: {} as { taken: number }, events: {} as MessageEvents<typeof accepts> },
  }).createMachine({
    context: { taken: 0 },
    on: { "mailroom.card.send": { actions: assign({ taken: ({ context }) => context.taken + 1 }) } },
  }),
})

describe("greeter", () => {
  it("greets by name with the default salutation and counts its greetings", async () => {
    const kit = host(greeter)
    await expect(kit.ask("greeter", { type: "greeter.greet", payload: { name: "Ada" } })).resolves.toEqual({
      greeting: "Hello, Ada!",
      count: 1,
    })
    await expect(
      kit.ask("greeter", { type: "greeter.greet", payload: { name: " Grace " } }),
    ).resolves.toEqual({
      greeting: "Hello, Grace!",
      count: 2,
    })
    await expect(kit.ask("greeter", { type: "status" })).resolves.toEqual({
      greeted: 2,
      deliveries: 0,
      courier: null,
    })
  })

  it("publishes greeter.greeting.sent on its topic for every greeting", async () => {
    const kit = host(greeter)
    await kit.ask("greeter", { type: "greeter.greet", payload: { name: "Ada" } })
    const sent = kit.events.filter((event) => event.type === "greeter.greeting.sent")
    expect(sent).toHaveLength(1)
    expect(sent[0]).toMatchObject({
      topic: "greeter",
      from: "greeter",
      payload: { name: "Ada", greeting: "Hello, Ada!", count: 1 },
    })
  })

  it("refuses a message its schema rejects before the machine sees it", async () => {
    const kit = host(greeter)
    await expect(
      kit.ask("greeter", { type: "greeter.greet", payload: { name: "   " } }),
    ).rejects.toMatchObject({
      _tag: "InvalidMessage",
      messageType: "greeter.greet",
    })
    await expect(kit.ask("greeter", { type: "greeter.shout", payload: {} })).rejects.toMatchObject({
      _tag: "InvalidMessage",
    })
    await expect(kit.ask("greeter", { type: "status" })).resolves.toMatchObject({ greeted: 0 })
  })

  it("reads its config, with defaults for what is not set, and refuses a bad one", async () => {
    const kit = host(greeter, { config: { salutation: "Good morning" } })
    await expect(
      kit.ask("greeter", { type: "greeter.greet", payload: { name: "Ada" } }),
    ).resolves.toMatchObject({
      greeting: "Good morning, Ada!",
    })
    expect(await failureOf(() => testPlugin(greeter, { config: { deliveryTimeoutMs: -5 } }))).toMatchObject({
      _tag: "PluginLoadError",
      code: "PLUGIN_BAD_CONFIG",
      plugin: "greeter",
    })
  })

  it("delivers a card through a courier child that asks the mailroom, and answers with the receipt", async () => {
    const kit = host(greeter, { stubs: { mailroom: mailroom() } })
    await expect(
      kit.ask("greeter", { type: "greeter.delivery.request", payload: { name: "Ada" } }),
    ).resolves.toEqual({ receipt: "R-1" })

    // The courier was spawned under the greeter's address, and signed the card with it (ActorSelf).
    const spawned = kit.events.filter((event) => event.type === "actor.spawned").map((event) => event.payload)
    expect(spawned).toMatchObject([{ address: "greeter/courier-1", kind: "courier", parent: "greeter" }])
    expect(
      kit.received.get("mailroom")?.map((envelope) => [envelope.type, envelope.from, envelope.payload]),
    ).toEqual([
      [
        "mailroom.card.send",
        "greeter/courier-1",
        { to: "Ada", text: "Hello, Ada!", courier: "greeter/courier-1" },
      ],
    ])
    const delivered = kit.events.filter((event) => event.type === "greeter.greeting.delivered")
    expect(delivered).toMatchObject([{ topic: "greeter", payload: { name: "Ada", receipt: "R-1" } }])
    // Its work done, the courier reached its final state and the runtime freed its address.
    await kit.settle()
    expect(kit.actor("greeter/courier-1")).toBeUndefined()
    await expect(kit.ask("greeter", { type: "status" })).resolves.toEqual({
      greeted: 0,
      deliveries: 1,
      courier: null,
    })
    await expect(
      kit.ask("greeter", { type: "greeter.delivery.request", payload: { name: "Grace" } }),
    ).resolves.toEqual({ receipt: "R-2" })
  })

  it("answers a second delivery request with GREETER_BUSY while a courier is out", async () => {
    const kit = host(greeter, { stubs: { mailroom: mailroom() } })
    // Both requests are in the greeter's mailbox before it runs, so the second finds it delivering.
    const first = kit.ask("greeter", { type: "greeter.delivery.request", payload: { name: "Ada" } })
    const second = kit.ask("greeter", { type: "greeter.delivery.request", payload: { name: "Grace" } })
    await expect(second).rejects.toMatchObject({
      _tag: "ReplyError",
      address: "greeter",
      code: "GREETER_BUSY",
    })
    await expect(first).resolves.toEqual({ receipt: "R-1" })
  })

  it("answers with GREETER_DELIVERY_FAILED when the mailroom cannot be reached", async () => {
    const kit = host(greeter)
    const failure = await failureOf(
      kit.ask("greeter", { type: "greeter.delivery.request", payload: { name: "Ada" } }),
    )
    expect(failure).toMatchObject({ _tag: "ReplyError", code: "GREETER_DELIVERY_FAILED" })
    expect((failure as { reason: string }).reason).toContain('no actor at address "mailroom"')
    await expect(kit.ask("greeter", { type: "status" })).resolves.toMatchObject({ courier: null })
  })

  it("gives up on a silent mailroom after deliveryTimeoutMs, on the runtime's clock", async () => {
    const clock = new ManualClock()
    const kit = host(greeter, { clock, with: [silentMailroom], config: { deliveryTimeoutMs: 1000 } })
    const request = kit.ask("greeter", { type: "greeter.delivery.request", payload: { name: "Ada" } })
    // Wait until the courier's ask is under way: its timer and the test's own ask timer.
    await vi.waitFor(() => expect(clock.pending).toBe(2))
    await expect(kit.ask("greeter/courier-1", { type: "status" })).resolves.toEqual({
      to: "Ada",
      parent: "greeter",
    })

    // Anyone can send the greeter a report; only its own courier is believed.
    kit.tell("greeter", { type: "greeter.delivery.done", payload: { receipt: "forged" } })
    await kit.settle()
    expect(kit.state("greeter")?.value).toBe("delivering")

    clock.advance(1000)
    const failure = await failureOf(request)
    expect(failure).toMatchObject({ code: "GREETER_DELIVERY_FAILED" })
    expect((failure as { reason: string }).reason).toContain("within 1000 ms")
    expect(kit.state("greeter")?.value).toBe("ready")
  })

  it("calls the courier back on cancel: the request fails, the program is interrupted and recalls the card", async () => {
    const kit = host(greeter, { stubs: { mailroom: mailroom() } })
    const request = kit.ask("greeter", { type: "greeter.delivery.request", payload: { name: "Ada" } })
    const cancel = kit.ask("greeter", { type: "greeter.delivery.cancel" })
    await expect(cancel).resolves.toEqual({ cancelled: "courier-1" })
    await expect(request).rejects.toMatchObject({ code: "GREETER_DELIVERY_CANCELLED" })

    // The interrupted program's finaliser told the mailroom to recall the card.
    await vi.waitFor(() =>
      expect(kit.received.get("mailroom")?.map((envelope) => envelope.type)).toEqual([
        "mailroom.card.send",
        "mailroom.card.recall",
      ]),
    )
    expect(kit.received.get("mailroom")?.[1]?.payload).toEqual({ courier: "greeter/courier-1" })
    expect(kit.actor("greeter/courier-1")).toBeUndefined()
    expect(kit.events.some((event) => event.type === "greeter.greeting.delivered")).toBe(false)
    await expect(kit.ask("greeter", { type: "greeter.delivery.cancel" })).rejects.toMatchObject({
      code: "GREETER_NOTHING_TO_CANCEL",
    })
  })

  it("refuses messages beyond its bounded mailbox instead of dropping them", async () => {
    const kit = host(greeter)
    // Sent in one go, before the greeter gets a turn: the 65th finds the mailbox full.
    for (let i = 0; i < 64; i++) kit.tell("greeter", { type: "status" })
    expect(await failureOf(() => kit.tell("greeter", { type: "status" }))).toMatchObject({
      _tag: "MailboxFull",
      address: "greeter",
      capacity: 64,
    })
  })

  it("is restarted from its last snapshot with backoff, and fails after more than 3 restarts a minute", async () => {
    // Fault injection: the same machine with a counting action that throws while `failing` is set.
    let failing = false
    const machine = greeterMachine.provide({
      actions: {
        countGreeting: assign({
          greeted: ({ context }) => {
            if (failing) throw new Error("counter broke")
            return context.greeted + 1
          },
        }),
      },
    })
    const clock = new ManualClock()
    // random() = 0.5 makes the jitter factor exactly 1, so the delays are min·2^(n-1): 500, 1000, 2000 ms.
    const kit = host(definePlugin({ ...greeter, machine }), { clock, random: () => 0.5 })
    const greet = () => kit.ask("greeter", { type: "greeter.greet", payload: { name: "Ada" } })
    await greet()
    await greet()

    failing = true
    await expect(greet()).rejects.toMatchObject({ _tag: "ActorCrashed", address: "greeter" })
    expect(kit.actor("greeter")?.status).toBe("restarting")
    clock.advance(499)
    expect(kit.actor("greeter")?.status).toBe("restarting")
    clock.advance(1)
    expect(kit.actor("greeter")).toMatchObject({ status: "running", restarts: 1 })
    failing = false
    await expect(kit.ask("greeter", { type: "status" })).resolves.toMatchObject({ greeted: 2 })

    failing = true
    for (const delayMs of [1000, 2000]) {
      await expect(greet()).rejects.toMatchObject({ _tag: "ActorCrashed" })
      clock.advance(delayMs)
      expect(kit.actor("greeter")?.status).toBe("running")
    }
    // The fourth crash within the minute is one restart too many: the actor escalates to `failed`.
    await expect(greet()).rejects.toMatchObject({ _tag: "ActorCrashed" })
    expect(kit.actor("greeter")).toMatchObject({ status: "failed", restarts: 3 })
    await expect(greet()).rejects.toMatchObject({ _tag: "ActorUnavailable", status: "failed" })
  })
})
