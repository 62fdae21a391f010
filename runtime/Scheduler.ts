// The scheduler: fires the plugins' declared schedules (intervals and cron expressions) from the
// `schedules` table, on the runtime's Clock, so that a restart neither loses nor doubles a run and
// schedulers sharing one PostgreSQL database send each run once.
//
// A pass claims the due rows (`FOR UPDATE SKIP LOCKED`), settles each row's last tick at or before now per
// its missed-run policy (`planRun`), sends the run's message with `tellDurable` (journaled before it
// resolves), and only then moves the row on. A run's message carries a deterministic key as its
// correlation id (`schedule:<plugin>:<name>:<due>`), so a row that was not moved on because the process
// died between the journal commit and the row update is recognised next time: its run is in the journal,
// and is not sent again.
//
// What that guarantees, precisely:
// - PostgreSQL: the claiming transaction keeps its row locks while the run is journaled, so another
//   scheduler skips the row until it has moved on (or until the holder's death rolls the claim back,
//   and then it finds the run in the journal). Each tick is journaled at most once, and a due run is
//   never lost: it is sent, let go by its `skip` policy, or recorded as refused (`last_error`) when the
//   plugin's actor refuses it (a full mailbox, a failed actor). One exception: if the claiming
//   connection alone is cut while its process lives on (a network fault, a server-side timeout) and the
//   journal commit lands after another scheduler has claimed the row, that run is journaled twice —
//   at-least-once, never lost.
// - Embedded PGlite: one process owns the data folder and a transaction excludes every other statement,
//   so the claim cannot wait for the journal; the row is read in one transaction and moved on in
//   another after the journal commit. Only this scheduler fires these rows, and the journal lookup
//   covers a crash between the two: exactly once.
// Either way, the dedupe relies on the run's journal row still being there when the scheduler next
// looks (its first pass, at start): journal retention (persistence/Retention.ts) deletes a row only once
// it is settled and older than the retention age or beyond its address's newest N.
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { ActorSystem } from "./ActorSystem.js"
import { systemClock } from "./Clock.js"
import type { Clock, Timer } from "./Clock.js"
import { silentLog } from "./Log.js"
import type { Log } from "./Log.js"
import type { DatabaseMode } from "./persistence/Database.js"
import * as SqlSchedules from "./persistence/SqlSchedules.js"
import type { DueRow, Settlement } from "./persistence/SqlSchedules.js"
import { describeCause } from "./RuntimeError.js"
import { firstRun, planRun, runKey } from "./Schedule.js"
import type { ResolvedSchedule, RunPlan } from "./Schedule.js"

/** The sender of every scheduled message. */
export const SCHEDULER_ADDRESS = "scheduler"

/** What the scheduler needs of the opened storage (a `Storage` is one). */
export interface ScheduleStore {
  readonly sql: SqlClient.SqlClient
  readonly database: { readonly mode: DatabaseMode }
}

export interface SchedulerOptions {
  /** The system's clock: schedules fall due on it (a `ManualClock` in tests). */
  readonly clock?: Clock
  readonly log?: Log
  /**
   * A tick first seen later than this after its time was missed (the process was down, or the database
   * away) and follows its schedule's `missed` policy; an earlier one is on time. Default 60 s.
   */
  readonly missedAfterMs?: number
  /** Longest wait between two looks at the table, for rows another process changed. Default 60 s. */
  readonly pollMs?: number
  /** First wait after a failed pass (doubling up to `pollMs`), or while another holds a due row. Default 1 s. */
  readonly retryMs?: number
  /**
   * The plugins this process hosts: their rows not among `schedules` (declarations since removed) are
   * deleted at start. Default: the plugins that `schedules` name.
   */
  readonly plugins?: ReadonlyArray<string>
}

export interface SchedulerStats {
  /** Runs sent (journaled). */
  fired: number
  /** Due runs let go by a `skip` policy. */
  skipped: number
  /** Due runs found already journaled (sent before a crash): not sent again. */
  deduplicated: number
  /** Due runs the plugin's actor refused (recorded in `last_error`). */
  refused: number
  /** Passes that failed (the database away); retried. */
  failures: number
}

type Outcome = Settlement | { readonly _tag: "Stopped" }

/** A claimed row and what to do with it. */
interface Claim {
  readonly row: DueRow
  readonly schedule: ResolvedSchedule
  readonly plan: RunPlan
}

const keyOf = (plugin: string, name: string) => `${plugin}\u0000${name}`

export class Scheduler {
  private readonly schedules = new Map<string, ResolvedSchedule>()
  private readonly plugins: ReadonlyArray<string>
  private readonly clock: Clock
  private readonly log: Log
  private readonly missedAfterMs: number
  private readonly pollMs: number
  private readonly retryMs: number
  /** Holding row locks across the journal commit is possible only with a real server (see above). */
  private readonly exclusive: boolean
  private timer: Timer | null = null
  private stopped = false
  private started = false
  /** The pass under way (or settled); the next one chains after it, so passes never overlap. */
  private current: Promise<void> = Promise.resolve()
  private queued: Promise<void> | null = null
  private failureDelayMs = 0
  /** Rows found with another spec than this process declares (`plugin\0name\0spec`), reported once. */
  private readonly foreign = new Set<string>()
  readonly stats: SchedulerStats = { fired: 0, skipped: 0, deduplicated: 0, refused: 0, failures: 0 }

  constructor(
    private readonly system: ActorSystem,
    private readonly store: ScheduleStore,
    schedules: ReadonlyArray<ResolvedSchedule>,
    options: SchedulerOptions = {},
  ) {
    if (system.journal === null)
      throw new Error("the scheduler needs an actor system with persistence: runs are journaled")
    for (const schedule of schedules) this.schedules.set(keyOf(schedule.plugin, schedule.name), schedule)
    this.plugins = [...new Set([...(options.plugins ?? []), ...schedules.map((schedule) => schedule.plugin)])]
    this.clock = options.clock ?? systemClock
    this.log = options.log ?? silentLog
    this.missedAfterMs = options.missedAfterMs ?? 60_000
    this.pollMs = options.pollMs ?? 60_000
    this.retryMs = options.retryMs ?? 1000
    this.exclusive = store.database.mode === "postgres"
  }

  /**
   * Writes the declarations to the table (new and changed ones get their first run; ones no longer
   * declared by these plugins are deleted), fires what fell due while the process was down, and keeps
   * firing on the clock until `stop`.
   */
  async start(): Promise<void> {
    if (this.started) throw new Error("the scheduler is already started")
    this.started = true
    if (this.plugins.length === 0) return
    const now = this.clock.now()
    const byPlugin = new Map<string, SqlSchedules.DeclaredRow[]>(this.plugins.map((plugin) => [plugin, []]))
    for (const schedule of this.schedules.values()) {
      const rows = byPlugin.get(schedule.plugin) ?? []
      rows.push({ name: schedule.name, spec: schedule.spec, firstRunAt: new Date(firstRun(schedule, now)) })
      byPlugin.set(schedule.plugin, rows)
    }
    const changed = await this.run(
      this.store.sql.withTransaction(
        Effect.forEach([...byPlugin], ([plugin, rows]) =>
          SqlSchedules.declare(plugin, rows).pipe(
            Effect.map((names) => names.map((name) => `${plugin}/${name}`)),
          ),
        ),
      ),
    )
    this.log.info("schedules ready", {
      schedules: [...this.schedules.values()].map((s) => `${s.plugin}/${s.name} ${s.spec} ${s.missed}`),
      newOrChanged: changed.flat(),
    })
    await this.runDue()
  }

  /**
   * Fires every run due now (what the timer does); resolves when that pass is over. Passes never
   * overlap: one asked for during another runs after it.
   */
  runDue(): Promise<void> {
    if (this.queued !== null) return this.queued
    const pass = this.current.then(() => {
      this.queued = null
      return this.pass()
    })
    this.queued = pass
    this.current = pass
    return pass
  }

  /** Resolves once no pass is under way or waiting (tests: after advancing a `ManualClock`). */
  async idle(): Promise<void> {
    let seen: Promise<void>
    do {
      seen = this.current
      await seen
    } while (seen !== this.current)
  }

  /**
   * Stops firing: no new pass starts, and the one under way is awaited for at most `timeoutMs`. Call
   * it before the system shuts down, so that no run is sent into a stopping system. True if it ended.
   */
  async stop(timeoutMs = 5000): Promise<boolean> {
    this.stopped = true
    this.timer?.cancel()
    this.timer = null
    let timeout: NodeJS.Timeout | undefined
    const ended = await Promise.race([
      this.idle().then(() => true),
      new Promise<boolean>((resolve) => (timeout = setTimeout(() => resolve(false), timeoutMs))),
    ])
    clearTimeout(timeout)
    return ended
  }

  private run<A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient>): Promise<A> {
    return Effect.runPromise(Effect.provideService(effect, SqlClient.SqlClient, this.store.sql))
  }

  private async pass(): Promise<void> {
    if (this.stopped || this.plugins.length === 0) return
    this.timer?.cancel()
    this.timer = null
    let delay: number
    try {
      await this.fireDue()
      const rows = await this.run(SqlSchedules.nextRuns(this.plugins))
      const earliest = Math.min(
        ...rows.filter((row) => this.owns(row)).map((row) => row.next_run_at.getTime()),
      )
      const now = this.clock.now()
      this.failureDelayMs = 0
      // A row still due is held by another scheduler (or its run was stopped): look again shortly.
      delay =
        earliest === Infinity
          ? this.pollMs
          : earliest <= now
            ? this.retryMs
            : Math.min(earliest - now, this.pollMs)
    } catch (error) {
      this.stats.failures++
      this.failureDelayMs = Math.min(this.pollMs, Math.max(this.retryMs, this.failureDelayMs * 2))
      delay = this.failureDelayMs
      this.log.error("schedule pass failed; retrying", { reason: describeCause(error), retryInMs: delay })
    }
    if (!this.stopped) this.timer = this.clock.setTimer(delay, () => void this.runDue())
  }

  /** One pass: claim what is due, send each run, move each row on (see the module's comment). */
  private async fireDue(): Promise<void> {
    if (this.schedules.size === 0) return
    const now = this.clock.now()
    const deferred: Claim[] = []
    const sql = this.store.sql
    await this.run(
      sql.withTransaction(
        Effect.gen(this, function* () {
          const rows = yield* SqlSchedules.claimDue([...this.schedules.values()], new Date(now))
          for (const row of rows) {
            const schedule = this.schedules.get(keyOf(row.plugin, row.name))
            if (schedule === undefined || !this.owns(row)) continue
            const claim: Claim = {
              row,
              schedule,
              plan: planRun(schedule, row.next_run_at.getTime(), now, this.missedAfterMs),
            }
            const journaled = yield* SqlSchedules.journaledRun(
              schedule.plugin,
              SCHEDULER_ADDRESS,
              runKey(schedule, claim.plan.due),
            )
            if (journaled !== null) {
              this.stats.deduplicated++
              this.log.info("scheduled run already journaled; not sent again", {
                plugin: schedule.plugin,
                name: schedule.name,
                due: new Date(claim.plan.due).toISOString(),
                messageId: journaled.id,
              })
              yield* this.settle(claim, {
                _tag: "Sent",
                messageId: journaled.id,
                at: new Date(journaled.sentAt),
              })
              continue
            }
            if (!claim.plan.fire) {
              this.stats.skipped++
              this.log.info("missed scheduled run skipped", {
                plugin: schedule.plugin,
                name: schedule.name,
                due: new Date(claim.plan.due).toISOString(),
                next: new Date(claim.plan.next).toISOString(),
              })
              yield* this.settle(claim, { _tag: "Skipped" })
              continue
            }
            if (!this.exclusive) {
              deferred.push(claim)
              continue
            }
            const outcome = yield* Effect.promise(() => this.send(claim))
            if (outcome._tag === "Stopped") return
            yield* this.settle(claim, outcome)
          }
        }),
      ),
    )
    for (const claim of deferred) {
      const outcome = await this.send(claim)
      if (outcome._tag === "Stopped") return
      await this.run(this.settle(claim, outcome))
    }
  }

  /**
   * The row is as this process declares it. One declared otherwise (another process started since with
   * another interval or expression: the last start wins) is left to the processes that declare it so.
   */
  private owns(row: DueRow): boolean {
    if (this.schedules.get(keyOf(row.plugin, row.name))?.spec === row.spec) return true
    const foreign = `${keyOf(row.plugin, row.name)}\u0000${row.spec}`
    if (!this.foreign.has(foreign)) {
      this.foreign.add(foreign)
      this.log.warn("schedule declared otherwise by another process; left to it", {
        plugin: row.plugin,
        name: row.name,
        spec: row.spec,
        declaredHere: this.schedules.get(keyOf(row.plugin, row.name))?.spec ?? null,
      })
    }
    return false
  }

  private settle(claim: Claim, settlement: Settlement) {
    return SqlSchedules.settle(claim.row, new Date(claim.plan.next), settlement)
  }

  /** Sends the run to the plugin's root and waits for its journal commit; never rejects. */
  private async send({ schedule, plan }: Claim): Promise<Outcome> {
    const fields = {
      plugin: schedule.plugin,
      name: schedule.name,
      due: new Date(plan.due).toISOString(),
      missed: !plan.onTime,
    }
    try {
      const envelope = await this.system.tellDurable(schedule.plugin, schedule.message, {
        from: SCHEDULER_ADDRESS,
        correlationId: runKey(schedule, plan.due),
      })
      this.stats.fired++
      this.log.info(plan.onTime ? "scheduled run sent" : "missed scheduled runs: sent once", {
        ...fields,
        messageId: envelope.id,
      })
      return { _tag: "Sent", messageId: envelope.id, at: new Date(envelope.sentAt) }
    } catch (error) {
      if ((error as { _tag?: unknown })._tag === "ShuttingDown") return { _tag: "Stopped" }
      this.stats.refused++
      const reason = describeCause(error)
      this.log.error("scheduled run refused by its actor", { ...fields, reason })
      return { _tag: "Refused", reason }
    }
  }
}
