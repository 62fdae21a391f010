// Small measuring helpers shared by the benches: forced GC, settled heap readings, medians and
// number formatting. Nothing here knows about the runtime.
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"

type Gc = () => void

const resolveGc = (): Gc => {
  const exposed = (globalThis as { gc?: Gc }).gc
  if (typeof exposed === "function") return exposed
  // Started without --expose-gc (e.g. plain `npx tsx`): expose it now and fetch it from a fresh context.
  setFlagsFromString("--expose-gc")
  return runInNewContext("gc") as Gc
}

const gc = resolveGc()

/** Runs full collections until the heap stops shrinking (weak refs and finalizers settle in a few). */
export const settledHeap = async (): Promise<number> => {
  let last = Number.POSITIVE_INFINITY
  for (let i = 0; i < 6; i++) {
    gc()
    await new Promise<void>((resolve) => setImmediate(resolve))
    const used = process.memoryUsage().heapUsed
    if (used >= last - 1024) return used
    last = used
  }
  return process.memoryUsage().heapUsed
}

/** One full collection, so a timed round does not pay for garbage left by the previous one. */
export const collect = (): void => gc()

export const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export const perSecond = (count: number, elapsedMs: number): number => (count * 1000) / elapsedMs

/** `1234567.8` → `"1,234,568"`. */
export const fmt = (value: number): string => Math.round(value).toLocaleString("en-US")

export const envInt = (name: string, fallback: number): number => {
  const raw = process.env[name]
  if (raw === undefined || raw === "") return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${name} must be a positive integer, got "${raw}"`)
  return value
}
