// Journal retention on real storage: pruning bounds the journal and never takes what recovery needs.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { afterAll, expect, it } from "vitest"
import { ActorSystem } from "../../ActorSystem.js"
import { pruneJournal } from "../../persistence/Retention.js"
import { openStorage } from "../../persistence/Storage.js"
import { counterPlugin } from "../fixtures.js"
import { testConfig } from "./fixtures.js"

const dataDir = mkdtempSync(join(tmpdir(), "lvlup-retention-"))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

const openSystem = async () => {
  const storage = await openStorage([], testConfig({ dataDir }))
  const system = new ActorSystem({ persistence: storage.persistence })
  await system.recover(counterPlugin())
  return { storage, system }
}

const journalRows = (storage: Awaited<ReturnType<typeof openStorage>>) =>
  Effect.runPromise(storage.sql<{ seq: string }>`SELECT seq FROM journal ORDER BY seq`).then((rows) =>
    rows.map((r) => Number(r.seq)),
  )

it("keeps the newest N processed messages per actor, and the actor recovers and continues after pruning", async () => {
  const first = await openSystem()
  for (let i = 0; i < 50; i++) first.system.tell("counter", { type: "inc" })
  await first.system.idle()
  const deleted = await Effect.runPromise(
    pruneJournal({ maxAgeMs: 86_400_000, keepPerAddress: 10 }).pipe(
      Effect.provideService(SqlClient.SqlClient, first.storage.sql),
    ),
  )
  expect(deleted).toBe(40)
  expect(await journalRows(first.storage)).toEqual(Array.from({ length: 10 }, (_, i) => 41 + i))
  await first.system.shutdown()
  await first.storage.close()

  const second = await openSystem()
  await expect(second.system.ask("counter", { type: "get" })).resolves.toEqual({ count: 50 })
  const next = await second.system.tellDurable("counter", { type: "inc" })
  expect((next as { seq?: number }).seq).toBe(52) // 51 was the `get` above
  await second.system.shutdown()
  await second.storage.close()
})

it("never prunes a message that is not processed or not yet covered by its actor's snapshot", async () => {
  const { storage, system } = await openSystem()
  await Effect.runPromise(storage.sql`DELETE FROM journal`)
  // Journaled for an address with no actor: unprocessed, so it must stay whatever its age.
  await Effect.runPromise(storage.sql`
    INSERT INTO journal (id, to_address, seq, sent_at, at, from_address, type, payload, correlation_id)
    VALUES ('old-unprocessed', 'nobody', 1, 0, now() - interval '400 days', 'external', 'x', '{}', 'c')`)
  // Old, but after the counter's snapshot: recovery would replay it, so it must stay too.
  await Effect.runPromise(storage.sql`
    INSERT INTO journal (id, to_address, seq, sent_at, at, from_address, type, payload, correlation_id)
    VALUES ('after-snapshot', 'counter', 999, 0, now() - interval '400 days', 'external', 'inc', '{}', 'c')`)
  const deleted = await Effect.runPromise(
    pruneJournal({ maxAgeMs: 1, keepPerAddress: 1 }).pipe(
      Effect.provideService(SqlClient.SqlClient, storage.sql),
    ),
  )
  expect(deleted).toBe(0)
  await system.shutdown()
  await storage.close()
})
