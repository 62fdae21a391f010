// Supervision as a value (Akka Typed's SupervisorStrategy, OTP's restart intensity): declared by the
// plugin, applied by the runtime. Exact semantics:
// - `stop`: a crash stops the actor; it stays `failed` until an operator restarts it.
// - `restart`/`restartWithBackoff`: a crash that is the n-th within the last `within` waits min·2^(n-1),
//   capped at max, times a random factor in [1 - jitter, 1 + jitter], then restarts the actor; messages
//   sent meanwhile wait in its mailbox. A crash when `maxRestarts` restarts already happened within
//   `within` escalates to `failed` (OTP's restart intensity); an operator's restart clears the history.
// - `from`: restart from the last snapshot the actor reached without crashing, or fresh from its input.
import { Duration } from "effect"

export interface StopStrategy {
  readonly _tag: "Stop"
}

export interface RestartStrategy {
  readonly _tag: "Restart"
  readonly minBackoffMs: number
  readonly maxBackoffMs: number
  readonly jitter: number
  readonly maxRestarts: number
  readonly withinMs: number
  readonly from: "snapshot" | "fresh"
  /** At most `maxRestarts` restarts within `within`; one more escalates to `failed`. */
  withLimit(maxRestarts: number, within: Duration.DurationInput): RestartStrategy
  fromSnapshot(): RestartStrategy
  fresh(): RestartStrategy
}

export type SupervisorStrategy = StopStrategy | RestartStrategy

interface RestartOptions {
  readonly minBackoffMs: number
  readonly maxBackoffMs: number
  readonly jitter: number
  readonly maxRestarts: number
  readonly withinMs: number
  readonly from: "snapshot" | "fresh"
}

const makeRestart = (options: RestartOptions): RestartStrategy => ({
  _tag: "Restart",
  ...options,
  withLimit: (maxRestarts, within) =>
    makeRestart({ ...options, maxRestarts, withinMs: Duration.toMillis(Duration.decode(within)) }),
  fromSnapshot: () => makeRestart({ ...options, from: "snapshot" }),
  fresh: () => makeRestart({ ...options, from: "fresh" }),
})

export const Supervision = {
  stop: (): StopStrategy => ({ _tag: "Stop" }),
  /** Restart at once, at most 3 times a minute by default. */
  restart: (): RestartStrategy =>
    makeRestart({
      minBackoffMs: 0,
      maxBackoffMs: 0,
      jitter: 0,
      maxRestarts: 3,
      withinMs: 60_000,
      from: "snapshot",
    }),
  restartWithBackoff: (options: {
    readonly min: Duration.DurationInput
    readonly max: Duration.DurationInput
    readonly jitter?: number
  }): RestartStrategy => {
    const minBackoffMs = Duration.toMillis(Duration.decode(options.min))
    const maxBackoffMs = Duration.toMillis(Duration.decode(options.max))
    const jitter = options.jitter ?? 0.2
    if (!(minBackoffMs >= 0 && maxBackoffMs >= minBackoffMs))
      throw new RangeError("backoff needs 0 <= min <= max")
    if (!(jitter >= 0 && jitter <= 1)) throw new RangeError("jitter must be within [0, 1]")
    return makeRestart({
      minBackoffMs,
      maxBackoffMs,
      jitter,
      maxRestarts: 5,
      withinMs: 60_000,
      from: "snapshot",
    })
  },
}

/** The runtime's default: exponential backoff from 200 ms to 30 s, ±20 %, at most 5 restarts a minute. */
export const defaultSupervision: SupervisorStrategy = Supervision.restartWithBackoff({
  min: "200 millis",
  max: "30 seconds",
  jitter: 0.2,
}).withLimit(5, "1 minute")

/** Delay before the `attempt`-th consecutive restart (1-based); `random` returns a number in [0, 1). */
export const backoffDelay = (strategy: RestartStrategy, attempt: number, random: () => number): number => {
  const base = Math.min(strategy.maxBackoffMs, strategy.minBackoffMs * 2 ** Math.max(0, attempt - 1))
  const factor = 1 + strategy.jitter * (2 * random() - 1)
  return Math.round(base * factor)
}
