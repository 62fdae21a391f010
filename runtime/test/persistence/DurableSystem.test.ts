// The actor system on real storage, in process, on both backends: acknowledgement after the journal
// write, recovery of state, children and queued messages across restarts, and snapshots that no longer
// fit their machine.
import { Effect } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { ActorSystem } from "../../ActorSystem.js"
import type { DatabaseConfig } from "../../persistence/DatabaseConfig.js"
import { openStorage } from "../../persistence/Storage.js"
import type { Storage } from "../../persistence/Storage.js"
import type { TopicEvent } from "../../Topics.js"
import { counterPlugin, relayPlugin } from "../fixtures.js"
import { scratchBackends } from "./fixtures.js"

const { backends, cleanup } = scratchBackends("system")
afterAll(cleanup)

/** A system on the storage, with the fixture plugins recovered, recording supervision events. */
const open = async (config: DatabaseConfig) => {
  const storage: Storage = await openStorage([], config)
  // One message per turn, so that a shutdown deadline can fall between slow messages.
  const system = new ActorSystem({ persistence: storage.persistence, startPaused: true, throughput: 1 })
  const events: TopicEvent[] = []
  system.subscribe("system.supervision", (event) => void events.push(event))
  await system.recover(counterPlugin())
  await system.recover(relayPlugin())
  system.resume()
  const close = async (timeoutMs = 5000) => {
    const report = await system.shutdown({ timeoutMs })
    await storage.close()
    return report
  }
  return { storage, system, events, close }
}

describe.each(backends)("the actor system on $name storage", (backend) => {
  it.skipIf(backend.skip)("acknowledges a message only once it is in the journal", async () => {
    const { storage, system, close } = await open(await backend.config())
    const envelope = await system.tellDurable("counter", { type: "inc", payload: { by: 2 } })
    const rows = await Effect.runPromise(
      storage.sql<{ to_address: string; seq: string; type: string; payload: unknown }>`
        SELECT to_address, seq, type, payload FROM journal WHERE id = ${envelope.id}`,
    )
    expect(rows).toEqual([{ to_address: "counter", seq: "1", type: "inc", payload: { by: 2 } }])
    await close()
  })

  it.skipIf(backend.skip)("brings state and children back after a restart", async () => {
    const config = await backend.config()
    const first = await open(config)
    first.system.tell("counter", { type: "inc", payload: { by: 5 } })
    first.system.tell("relay", { type: "relay.spawn", payload: { name: "w1" } })
    await first.system.idle()
    first.system.tell("relay/w1", { type: "inc", payload: { by: 3 } })
    await first.close()

    const second = await open(config)
    await expect(second.system.ask("counter", { type: "get" })).resolves.toEqual({ count: 5 })
    expect(second.system.actor("relay/w1")).toMatchObject({
      kind: "worker",
      parent: "relay",
      status: "running",
    })
    await expect(second.system.ask("relay/w1", { type: "get" })).resolves.toEqual({ count: 3 })
    await second.close()
  })

  it.skipIf(backend.skip)(
    "keeps messages still queued at shutdown and delivers them at the next start",
    async () => {
      const config = await backend.config()
      const first = await open(config)
      for (let i = 0; i < 20; i++) first.system.tell("counter", { type: "slow", payload: { ms: 25 } })
      first.system.tell("counter", { type: "inc", payload: { by: 1 } })
      const report = await first.close(100)
      expect(report.drained).toBe(false)
      expect(report.undelivered).toBeGreaterThan(0)

      const second = await open(config)
      await second.system.idle()
      await expect(second.system.ask("counter", { type: "get" })).resolves.toEqual({ count: 1 })
      await second.close()
    },
  )

  it.skipIf(backend.skip)(
    "starts fresh, and says so, when a snapshot no longer fits the machine",
    async () => {
      const config = await backend.config()
      const first = await open(config)
      await first.system.tellDurable("counter", { type: "inc", payload: { by: 4 } })
      await first.system.idle()
      await Effect.runPromise(
        first.storage.sql`UPDATE snapshots SET state = jsonb_set(state, '{value}', '"a-state-of-version-2"')
        WHERE address = 'counter'`,
      )
      await first.close()

      const second = await open(config)
      expect(second.events.map((e) => [e.type, (e.payload as { address: string }).address])).toContainEqual([
        "actor.snapshot-incompatible",
        "counter",
      ])
      expect(second.system.actor("counter")?.status).toBe("running")
      await expect(second.system.ask("counter", { type: "get" })).resolves.toEqual({ count: 0 })
      await second.close()
    },
  )
})
