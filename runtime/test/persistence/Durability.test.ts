// Crash tests for journal-before-acknowledgement, on both backends: a runtime process is killed with
// SIGKILL in the middle of its work, a new one starts on the same database, and what was acknowledged
// must all be there, applied once.
import { spawn } from "node:child_process"
import type { ChildProcess } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, describe, expect, it } from "vitest"
import { postgresUrl, scratchBackends } from "./fixtures.js"

const projectRoot = fileURLToPath(new URL("../../..", import.meta.url))
const nodeScript = "runtime/test/fixtures/durable/node.ts"

interface Backend {
  readonly name: string
  readonly skip: boolean
  /** The environment that points a runtime process at a fresh, empty database. */
  readonly prepare: () => Promise<Record<string, string>>
}

const { scratchUrl, cleanup } = scratchBackends("durable")
const cleanups: Array<() => Promise<unknown>> = [cleanup]
afterAll(async () => {
  for (const step of cleanups.reverse()) await step()
})

const backends: Backend[] = [
  {
    name: "embedded",
    skip: false,
    prepare: () => {
      const dir = mkdtempSync(join(tmpdir(), "lvlup-durable-"))
      cleanups.push(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })))
      return Promise.resolve({ LVLUP_DATA_DIR: dir, DATABASE_URL: "" })
    },
  },
  {
    name: "postgres",
    skip: postgresUrl === undefined,
    prepare: async () => ({ DATABASE_URL: await scratchUrl() }),
  },
]

/** Starts the fixture runtime; `lines` collects what it prints, `waitFor` resolves on a matching line. */
const start = (env: Record<string, string>, ...args: string[]) => {
  // node itself with tsx's loader (not the tsx wrapper, which would survive as the SIGKILLed parent).
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", nodeScript, ...args], {
    cwd: projectRoot,
    env: { ...process.env, ...env, LOG_LEVEL: "error" },
    stdio: ["ignore", "pipe", "pipe"],
  })
  const lines: string[] = []
  const waiters: Array<{ test: (line: string) => boolean; resolve: () => void }> = []
  let buffer = ""
  let stderr = ""
  child.stderr!.on("data", (chunk: Buffer) => void (stderr += chunk.toString()))
  child.stdout!.on("data", (chunk: Buffer) => {
    buffer += chunk.toString()
    let at: number
    while ((at = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, at)
      buffer = buffer.slice(at + 1)
      lines.push(line)
      for (const waiter of [...waiters])
        if (waiter.test(line)) {
          waiters.splice(waiters.indexOf(waiter), 1)
          waiter.resolve()
        }
    }
  })
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
  const waitFor = (test: (line: string) => boolean) =>
    new Promise<void>((resolve, reject) => {
      if (lines.some(test)) return resolve()
      waiters.push({ test, resolve })
      void exited.then((code) => reject(new Error(`runtime exited (${code}) first: ${stderr.slice(-2000)}`)))
    })
  return { child, lines, waitFor, exited }
}

const report = async (env: Record<string, string>) => {
  const run = start(env, "report")
  await run.waitFor((line) => line.startsWith("{"))
  await run.exited
  return JSON.parse(run.lines.find((line) => line.startsWith("{"))!) as {
    tally: { count: number; dupes: number; seen: number[] }
    pinger: { rounds: number; pongs: number[] }
    ponger: { pings: number[] }
    journal: Record<string, { total: number; processed: number }>
  }
}

describe.each(backends)("durability on $name", (backend) => {
  it.skipIf(backend.skip)(
    "loses no acknowledged message and applies none twice when the process is killed mid-stream",
    async () => {
      const env = await backend.prepare()
      const run = start(env, "stream", "5000")
      let acked = 0
      await run.waitFor((line) => line.startsWith("ack") && ++acked >= 400)
      run.child.kill("SIGKILL")
      await run.exited
      const ackedIds = run.lines.filter((l) => l.startsWith("ack ")).map((l) => Number(l.slice(4)))
      expect(ackedIds.length).toBeGreaterThanOrEqual(400)

      const after = await report(env)
      expect(after.tally.dupes).toBe(0)
      const seen = new Set(after.tally.seen)
      expect(ackedIds.filter((i) => !seen.has(i))).toEqual([])
      // Everything journaled was applied, exactly once: the journal, the count and the distinct ids agree.
      expect(after.tally.count).toBe(seen.size)
      expect(after.journal["tally"]).toEqual({ total: after.tally.count, processed: after.tally.count })
      expect(after.tally.count).toBeLessThan(5000)
    },
    120_000,
  )

  it.skipIf(backend.skip)(
    "finishes a multi-step exchange between two agents after a kill, with no step lost or repeated",
    async () => {
      const env = await backend.prepare()
      const rounds = 400
      const run = start(env, "exchange", String(rounds))
      await run.waitFor((line) => line === "started")
      await new Promise((resolve) => setTimeout(resolve, 250)) // let it get some way, not all the way
      run.child.kill("SIGKILL")
      await run.exited

      const after = await report(env)
      const all = Array.from({ length: rounds }, (_, i) => i + 1)
      expect(after.ponger.pings).toEqual(all)
      expect(after.pinger.pongs).toEqual(all)
    },
    120_000,
  )
})
