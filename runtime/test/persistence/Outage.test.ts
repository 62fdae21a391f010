// A database outage while running (a Jepsen-style nemesis on the network path): a proxy in front of
// PostgreSQL drops every connection and refuses new ones for a while. Messages accepted meanwhile wait,
// none is acknowledged before it is durable, and after the database comes back every one is
// acknowledged and applied exactly once.
import { createServer } from "node:net"
import type { Server, Socket } from "node:net"
import { connect } from "node:net"
import { Effect, Option, Redacted } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { ActorSystem } from "../../ActorSystem.js"
import { openStorage } from "../../persistence/Storage.js"
import { counterPlugin } from "../fixtures.js"
import { SKIP_POSTGRES_REASON, postgresUrl, scratchBackends, testConfig } from "./fixtures.js"

/** Forwards TCP to the database until `cut()`, which kills every connection and refuses new ones. */
const makeProxy = async (target: { host: string; port: number }) => {
  let open = true
  const sockets = new Set<Socket>()
  const server: Server = createServer((client) => {
    if (!open) return void client.destroy()
    const upstream = connect(target.port, target.host)
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on("close", () => sockets.delete(s))
      s.on("error", () => s.destroy())
    }
    client.pipe(upstream).pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as { port: number }).port
  return {
    port,
    cut: () => {
      open = false
      for (const s of sockets) s.destroy()
    },
    heal: () => void (open = true),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

const { scratchUrl, cleanup } = scratchBackends("outage")
const cleanups: Array<() => Promise<unknown>> = [cleanup]
afterAll(async () => {
  for (const step of cleanups.reverse()) await step()
})

describe.skipIf(postgresUrl === undefined)("a database outage while running (PostgreSQL)", () => {
  it("holds acknowledgements until the database is back, then loses and doubles nothing", async () => {
    const url = new URL(await scratchUrl())
    const proxy = await makeProxy({ host: url.hostname, port: Number(url.port || 5432) })
    cleanups.push(proxy.close)
    url.port = String(proxy.port)
    const storage = await openStorage(
      [],
      testConfig({ url: Option.some(Redacted.make(url.toString())), poolSize: 2 }),
    )
    const system = new ActorSystem({ persistence: storage.persistence, mailboxCapacity: 10_000 })
    await system.recover(counterPlugin())

    for (let i = 0; i < 100; i++) await system.tellDurable("counter", { type: "inc" })
    proxy.cut()
    let acknowledged = 0
    const during = Array.from({ length: 50 }, () =>
      system.tellDurable("counter", { type: "inc" }).then(() => void acknowledged++),
    )
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect(acknowledged).toBe(0) // nothing is acknowledged that is not durable
    expect(system.journal?.stats.failures).toBeGreaterThan(0)
    proxy.heal()
    await Promise.all(during)
    expect(acknowledged).toBe(50)
    await system.idle()
    await expect(system.ask("counter", { type: "get" })).resolves.toEqual({ count: 150 })
    const [row] = await Effect.runPromise(
      storage.sql<{ total: string; distinct_seq: string }>`
        SELECT count(*) AS total, count(DISTINCT seq) AS distinct_seq FROM journal WHERE to_address = 'counter'`,
    )
    expect(row).toEqual({ total: "151", distinct_seq: "151" }) // 150 incs and the get, each once
    await system.shutdown()
    await storage.close()
  }, 60_000)
})

if (postgresUrl === undefined) console.warn(SKIP_POSTGRES_REASON)
