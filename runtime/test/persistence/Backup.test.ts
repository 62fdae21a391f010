// Backup and restore through the real commands (`npm run backup` / `npm run restore`): a system's state
// is dumped, restored into an empty data dir, and the restored system carries on where it was.
import { execFile } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { Effect } from "effect"
import { afterAll, expect, it } from "vitest"
import { ActorSystem } from "../../ActorSystem.js"
import { openStorage } from "../../persistence/Storage.js"
import { counterPlugin } from "../fixtures.js"
import { testConfig } from "./fixtures.js"

const run = promisify(execFile)
const projectRoot = fileURLToPath(new URL("../../..", import.meta.url))
const work = mkdtempSync(join(tmpdir(), "lvlup-backup-"))
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** Runs the backup command as a user would, on the embedded data dir `dataDir`. */
const command = (dataDir: string, ...args: string[]) =>
  run(process.execPath, ["--import", "tsx", "scripts/backup.ts", ...args], {
    cwd: projectRoot,
    env: { ...process.env, DATABASE_URL: "", LVLUP_DATA_DIR: dataDir },
  })

const openSystem = async (dataDir: string) => {
  const storage = await openStorage([], testConfig({ dataDir }))
  const system = new ActorSystem({ persistence: storage.persistence })
  await system.recover(counterPlugin())
  const close = async () => {
    await system.shutdown()
    await storage.close()
  }
  return { storage, system, close }
}

it("restores into an empty data dir everything a backup took, and refuses to mix into existing data", async () => {
  const source = join(work, "source")
  const first = await openSystem(source)
  for (let i = 0; i < 25; i++) first.system.tell("counter", { type: "inc", payload: { by: 2 } })
  await first.system.idle()
  await first.close()

  const file = join(work, "lvlup.backup.jsonl")
  const backedUp = await command(source, "backup", "--out", file)
  expect(backedUp.stdout).toMatch(/"journal":25/)

  const target = join(work, "target")
  const restored = await command(target, "restore", "--in", file)
  expect(restored.stdout).toMatch(/"journal":25/)
  expect(restored.stdout).toMatch(/"snapshots":1/)

  const second = await openSystem(target)
  await expect(second.system.ask("counter", { type: "get" })).resolves.toEqual({ count: 50 })
  const rows = await Effect.runPromise(
    second.storage.sql<{ n: number }>`SELECT count(*)::int AS n FROM journal`,
  )
  expect(rows[0]?.n).toBe(26) // the 25 restored and the `get` above
  await second.close()

  await expect(command(target, "restore", "--in", file)).rejects.toMatchObject({
    code: 1,
    stderr: expect.stringContaining("is not empty") as unknown,
  })
  writeFileSync(join(work, "not-a-backup.jsonl"), '{"hello":"world"}\n')
  await expect(
    command(join(work, "other"), "restore", "--in", join(work, "not-a-backup.jsonl")),
  ).rejects.toMatchObject({
    code: 1,
    stderr: expect.stringContaining("is not a lvlup-backup file") as unknown,
  })
  await expect(command(target, "backup")).rejects.toMatchObject({ code: 2 })
}, 120_000)
