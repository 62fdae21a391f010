// An exclusive lock on the embedded data folder. PGlite takes none of its own, and two processes (or two
// layers in one process) opening the same folder silently lose each other's commits. The lock is a file
// created with O_EXCL holding its owner's pid, host and start time; one left by a dead process is taken
// over. Two processes taking over the same stale lock in the same instant are not told apart.
import { randomUUID } from "node:crypto"
import { readFileSync, rmSync, writeFileSync } from "node:fs"
import { hostname } from "node:os"
import { Effect } from "effect"
import type { Scope } from "effect"
import { DataDirLocked, DatabaseUnavailable } from "../DatabaseError.js"
import { describeCause } from "../../RuntimeError.js"

interface Holder {
  readonly pid: number
  readonly host: string
  /** When the owning process started (ms, rounded to seconds): tells a restarted pid 1 from itself. */
  readonly processStart: number
  readonly token: string
}

const processStart = (): number => Math.round((Date.now() - process.uptime() * 1000) / 1000) * 1000

const isAlive = (holder: Holder): boolean => {
  if (holder.host !== hostname()) return true // another machine: cannot tell, so assume it is
  if (holder.pid === process.pid) return Math.abs(holder.processStart - processStart()) <= 2000
  try {
    process.kill(holder.pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

const readHolder = (lockFile: string): Holder | "gone" | "unreadable" => {
  try {
    const parsed = JSON.parse(readFileSync(lockFile, "utf8")) as Partial<Holder>
    return typeof parsed.pid === "number" && typeof parsed.host === "string"
      ? {
          pid: parsed.pid,
          host: parsed.host,
          processStart: parsed.processStart ?? 0,
          token: parsed.token ?? "",
        }
      : "unreadable"
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? "gone" : "unreadable"
  }
}

const describeHolder = (holder: Holder | "unreadable"): string =>
  holder === "unreadable"
    ? "an unknown process (unreadable lock file)"
    : holder.pid === process.pid && holder.host === hostname()
      ? "this process (opened twice)"
      : `process ${holder.pid} on ${holder.host}`

/** Holds the lock for the scope's lifetime; fails with `DataDirLocked` if a live owner has it. */
export const lockDataDir = (
  dataDir: string,
  lockFile: string,
): Effect.Effect<void, DataDirLocked | DatabaseUnavailable, Scope.Scope> => {
  const me: Holder = { pid: process.pid, host: hostname(), processStart: processStart(), token: randomUUID() }
  const create = (): boolean => {
    try {
      writeFileSync(lockFile, JSON.stringify(me), { flag: "wx" })
      return true
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") return false
      throw error
    }
  }
  const attempt = (): DataDirLocked | undefined => {
    for (let tries = 0; tries < 3; tries++) {
      if (create()) return undefined
      const holder = readHolder(lockFile)
      if (holder === "gone") continue
      if (holder === "unreadable" || isAlive(holder)) {
        return new DataDirLocked({ dataDir, lockFile, holder: describeHolder(holder) })
      }
      rmSync(lockFile, { force: true })
    }
    return new DataDirLocked({ dataDir, lockFile, holder: "another process starting now" })
  }
  const acquire = Effect.try({
    try: attempt,
    catch: (cause) =>
      new DatabaseUnavailable({
        mode: "embedded",
        address: dataDir,
        reason: `cannot create ${lockFile}: ${describeCause(cause)}`,
        hint: "check that LVLUP_DATA_DIR is a writable folder",
      }),
  }).pipe(Effect.flatMap((locked) => (locked === undefined ? Effect.void : Effect.fail(locked))))
  const release = Effect.sync(() => {
    const holder = readHolder(lockFile)
    if (typeof holder === "object" && holder.token === me.token) rmSync(lockFile, { force: true })
  })
  return Effect.acquireRelease(acquire, () => release)
}
