// Time as a dependency: the runtime schedules restarts and ask timeouts through a Clock, so tests drive
// supervision on a simulated clock instead of sleeping.
export interface Timer {
  cancel(): void
}

export interface Clock {
  now(): number
  setTimer(delayMs: number, callback: () => void): Timer
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (delayMs, callback) => {
    const handle = setTimeout(callback, delayMs)
    return { cancel: () => clearTimeout(handle) }
  },
}

/** A clock that only moves when told to: `advance(ms)` fires every timer that falls due, in order. */
export class ManualClock implements Clock {
  private current: number
  private timers: Array<{ at: number; seq: number; callback: () => void; cancelled: boolean }> = []
  private seq = 0

  constructor(start = 0) {
    this.current = start
  }

  now(): number {
    return this.current
  }

  setTimer(delayMs: number, callback: () => void): Timer {
    const timer = { at: this.current + Math.max(0, delayMs), seq: this.seq++, callback, cancelled: false }
    this.timers.push(timer)
    return { cancel: () => void (timer.cancelled = true) }
  }

  /** Moves time forward, firing due timers in time order (timers they set that fall due fire too). */
  advance(ms: number): void {
    const target = this.current + ms
    for (;;) {
      const due = this.timers
        .filter((t) => !t.cancelled && t.at <= target)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0]
      if (!due) break
      this.timers = this.timers.filter((t) => t !== due)
      this.current = due.at
      due.callback()
    }
    this.current = target
  }

  /** Number of timers still waiting. */
  get pending(): number {
    return this.timers.filter((t) => !t.cancelled).length
  }
}
