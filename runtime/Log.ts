// A small structured logger for the runtime's own events: one line per event, JSON or human-readable.
// Secrets never go through here as fields; callers pass names and counts, not payloads.
export type LogLevel = "debug" | "info" | "warn" | "error"

export interface Log {
  readonly debug: (message: string, fields?: Record<string, unknown>) => void
  readonly info: (message: string, fields?: Record<string, unknown>) => void
  readonly warn: (message: string, fields?: Record<string, unknown>) => void
  readonly error: (message: string, fields?: Record<string, unknown>) => void
}

const ranks: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export const makeLog = (options: {
  readonly level?: LogLevel
  readonly format?: "json" | "pretty"
  readonly write?: (line: string) => void
}): Log => {
  const min = ranks[options.level ?? "info"]
  const write = options.write ?? ((line: string) => process.stderr.write(line + "\n"))
  const emit = (level: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    if (ranks[level] < min) return
    const time = new Date().toISOString()
    if (options.format === "json") write(JSON.stringify({ time, level, message, ...fields }))
    else {
      const extra = fields && Object.keys(fields).length > 0 ? " " + JSON.stringify(fields) : ""
      write(`${time} ${level.toUpperCase().padEnd(5)} ${message}${extra}`)
    }
  }
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") }
}

/** Discards everything (tests and benchmarks that assert on events, not logs). */
export const silentLog: Log = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }
