// The journal benchmark: what group commit buys. On one scratch database (PostgreSQL when DATABASE_URL
// is set, else embedded PGlite), with the same Persistence:
//  (a) per message — every accepted message its own transaction (`Persistence.commit` of a one-message
//      batch, awaited before the sender's next accept): one sender, then N concurrent senders;
//  (b) group commit — `system.tellDurable` through the ActorSystem (GroupCommit batching) by the same N
//      senders, each awaiting its acknowledgement before sending again, to a small hosted plugin;
// and the acknowledgement latency of (b). Last line is JSON.
import { Effect } from "effect"
import { ActorSystem } from "../runtime/ActorSystem.js"
import { EXTERNAL, newMessageId } from "../runtime/Envelope.js"
import type { CommitBatch, JournalEntry, Persistence } from "../runtime/Persistence.js"
import { assign, definePlugin, Schema, setup, spawnChild } from "../runtime/sdk/index.js"
import type { MessageEvents } from "../runtime/sdk/index.js"
import { collect, envInt, fmt, median, perSecond } from "./lib/measure.js"
import { openScratchStorage } from "./lib/scratchStorage.js"

// ------------------------------------------------------------------ the plugin

const PLUGIN = "bench-journal"

const counterAccepts = { inc: Schema.Struct({ by: Schema.Number }) }

const counterMachine = setup({
  types: { context: {} as { count: number }, events: {} as MessageEvents<typeof counterAccepts> },
}).createMachine({
  id: "counter",
  context: { count: 0 },
  on: { inc: { actions: assign({ count: ({ context, event }) => context.count + event.payload.by }) } },
})

const hubAccepts = { spawn: Schema.Struct({ name: Schema.String }) }

const hubMachine = setup({ types: { events: {} as MessageEvents<typeof hubAccepts> } }).createMachine({
  id: "hub",
  on: { spawn: { actions: spawnChild("counter", ({ event }) => event.payload.name) } },
})

/** A root that spawns durable counter children, which the senders message. */
const benchPlugin = definePlugin({
  name: PLUGIN,
  version: "0.0.0",
  description: "bench: durable counters",
  machine: hubMachine,
  accepts: hubAccepts,
  children: { counter: { machine: counterMachine, accepts: counterAccepts } },
})

const INC = { type: "inc", payload: { by: 1 } } as const

// ------------------------------------------------------------------ measuring commits

interface CommitRecord {
  readonly start: number
  readonly end: number
  readonly appended: number
  readonly processed: number
  readonly snapshots: number
}

/** The same Persistence, recording each commit's timing and contents while `recording` is on. */
const recorded = (inner: Persistence) => {
  const commits: CommitRecord[] = []
  const state = { recording: false }
  const persistence: Persistence = {
    commit: async (batch: CommitBatch) => {
      const start = performance.now()
      await inner.commit(batch)
      if (state.recording)
        commits.push({
          start,
          end: performance.now(),
          appended: batch.appended.length,
          processed: batch.processed.length,
          snapshots: batch.snapshots.length,
        })
    },
    recover: (address) => inner.recover(address),
    children: (parent) => inner.children(parent),
  }
  return { persistence, commits, state }
}

/** Nearest-rank percentile of an ascending array. */
const percentile = (sorted: ArrayLike<number>, p: number): number =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!

const ascending = (values: ReadonlyArray<number>): Float64Array => Float64Array.from(values).sort()

const ms = (value: number): string => `${value.toFixed(2)} ms`
const round2 = (value: number): number => Number(value.toFixed(2))
const mean = (values: ReadonlyArray<number>): number =>
  values.length === 0 ? 0 : values.reduce((sum, v) => sum + v, 0) / values.length

// ------------------------------------------------------------------ (a) one transaction per message

/** Successive journal entries for one stream (address), as the actor system would make them. */
const stream = (address: string) => {
  let seq = 0
  return (): JournalEntry => {
    const id = newMessageId()
    return {
      seq: ++seq,
      envelope: {
        id,
        type: INC.type,
        payload: INC.payload,
        from: EXTERNAL,
        to: address,
        correlationId: id,
        causationId: null,
        sentAt: Date.now(),
      },
    }
  }
}

const commitOne = (persistence: Persistence, entry: JournalEntry): Promise<void> =>
  persistence.commit({ appended: [entry], processed: [], snapshots: [], removed: [] })

/**
 * `senders` senders, each accepting a message only once the previous one's transaction committed, until
 * `durationMs` has passed (or `maxEach` each). Returns accepts/s and each accept's latency.
 */
const perMessageRound = async (
  persistence: Persistence,
  senders: number,
  durationMs: number,
  maxEach: number,
  tag: string,
): Promise<{ perSecond: number; count: number; elapsed: number; latencies: number[] }> => {
  const latencies: number[] = []
  collect()
  const start = performance.now()
  const deadline = start + durationMs
  const sender = async (k: number) => {
    const next = stream(`bench-per-message/${tag}${k}`)
    for (let j = 0; j < maxEach && performance.now() < deadline; j++) {
      const t0 = performance.now()
      await commitOne(persistence, next())
      latencies.push(performance.now() - t0)
    }
  }
  await Promise.all(Array.from({ length: senders }, (_, k) => sender(k)))
  const elapsed = performance.now() - start
  return { perSecond: perSecond(latencies.length, elapsed), count: latencies.length, elapsed, latencies }
}

// ------------------------------------------------------------------ (b) group commit

/** `each` tellDurable calls per sender, each awaited before the next; latencies land in `into`. */
const groupRound = async (
  system: ActorSystem,
  addresses: ReadonlyArray<string>,
  senders: number,
  each: number,
  into: number[] | null,
): Promise<{ perSecond: number; elapsed: number }> => {
  collect()
  const start = performance.now()
  const sender = async (k: number) => {
    const to = addresses[k % addresses.length]!
    for (let j = 0; j < each; j++) {
      const t0 = performance.now()
      await system.tellDurable(to, INC)
      into?.push(performance.now() - t0)
    }
  }
  await Promise.all(Array.from({ length: senders }, (_, k) => sender(k)))
  const elapsed = performance.now() - start
  return { perSecond: perSecond(senders * each, elapsed), elapsed }
}

// ------------------------------------------------------------------ the bench

/**
 * Knobs (env): BENCH_SENDERS (concurrent senders in both modes; 64), BENCH_MESSAGES (group-commit
 * messages measured, split over BENCH_ROUNDS rounds; 50,000 in 5), BENCH_ACTORS (counters the senders
 * message; 8), BENCH_PER_MESSAGE_MS (length of the 1-sender per-message phase, and of the N-sender one,
 * which runs half before and half after the group-commit rounds; 4000). The database comes from
 * DATABASE_URL (a scratch database is created on that server and dropped) or is embedded PGlite in a
 * temporary data dir; DATABASE_POOL_SIZE, DATABASE_MAX_OVERFLOW and LVLUP_DB_EMBEDDED_FSYNC apply.
 */
export const run = async (): Promise<void> => {
  const senders = envInt("BENCH_SENDERS", 64)
  const rounds = envInt("BENCH_ROUNDS", 5)
  const perRound = Math.ceil(envInt("BENCH_MESSAGES", 50_000) / rounds / senders) * senders
  const messages = perRound * rounds
  const actors = envInt("BENCH_ACTORS", 8)
  const perMessageMs = envInt("BENCH_PER_MESSAGE_MS", 4000)
  const started = performance.now()

  const scratch = await openScratchStorage()
  const { storage, backend } = scratch
  try {
    console.log(`journal bench: ${backend} — ${storage.database.target} (scratch: ${scratch.where})`)
    if (backend === "embedded")
      console.log("  note: DATABASE_URL is unset, so this fell back to embedded PGlite in a temp data dir")
    console.log(`  durability: ${storage.database.durability}`)
    console.log(
      `  ${senders} senders, ${fmt(messages)} group-commit messages in ${rounds} rounds to ${actors} actors,` +
        ` per-message phases of ${perMessageMs} ms, node ${process.version}`,
    )
    const timed = recorded(storage.persistence)

    // (a) One transaction per message, through the same Persistence (SqlPersistence.commitBatch).
    await perMessageRound(timed.persistence, 1, 60_000, 200, "warm1-") // warm-up: pool, plans, JIT
    await perMessageRound(timed.persistence, senders, 60_000, 10, "warmN-")
    const sequential = await perMessageRound(timed.persistence, 1, perMessageMs, 1e9, "seq")
    // The concurrent baseline runs half before and half after (b), so that a load that comes and goes on
    // the machine weighs on both sides of the ratio alike.
    const concurrentBefore = await perMessageRound(timed.persistence, senders, perMessageMs / 2, 1e9, "b")
    console.log(
      `(a) per message, 1 sender        ${fmt(sequential.perSecond)} accepts/s   (${fmt(sequential.count)} transactions,` +
        ` p50 ${ms(median(sequential.latencies))})`,
    )

    // (b) tellDurable through the actor system, batched by GroupCommit.
    const system = new ActorSystem({ persistence: timed.persistence })
    const journal = system.journal!
    system.host(benchPlugin)
    const addresses: string[] = []
    for (let i = 0; i < actors; i++) {
      system.tell(PLUGIN, { type: "spawn", payload: { name: `c${i}` } })
      addresses.push(`${PLUGIN}/c${i}`)
    }
    await system.idle()
    await groupRound(system, addresses, senders, Math.max(20, Math.ceil(perRound / 4 / senders)), null)
    await system.idle()
    const warmed = addresses.reduce((sum, a) => sum + countOf(system, a), 0)

    const latencies: number[] = []
    const rates: number[] = []
    let batches = 0
    let batchedMessages = 0
    let ackMs = 0
    for (let r = 0; r < rounds; r++) {
      const before = { ...journal.stats }
      timed.state.recording = true
      const round = await groupRound(system, addresses, senders, perRound / senders, latencies)
      timed.state.recording = false
      batches += journal.stats.batches - before.batches
      batchedMessages += journal.stats.messages - before.messages
      ackMs += round.elapsed
      rates.push(round.perSecond)
      await system.idle() // outcomes and snapshots of the round's last batch, outside the timing
    }
    const groupCommit = median(rates)
    const acks = ascending(latencies)
    const p50 = percentile(acks, 0.5)
    const p99 = percentile(acks, 0.99)
    const commits = timed.commits
    const commitMs = ascending(commits.map((c) => c.end - c.start))
    const gaps = commits.slice(1).map((c, i) => c.start - commits[i]!.end)
    const meanBatch = batchedMessages / Math.max(1, batches)
    console.log(
      `(b) group commit, ${senders} senders    ${fmt(groupCommit)} acks/s   rounds: ${rates.map(fmt).join(", ")}` +
        `   (all rounds: ${fmt(perSecond(messages, ackMs))}/s)`,
    )
    console.log(
      `    ack latency               p50 ${ms(p50)}, p90 ${ms(percentile(acks, 0.9))}, p99 ${ms(p99)},` +
        ` p99.9 ${ms(percentile(acks, 0.999))}, max ${ms(acks[acks.length - 1] ?? Number.NaN)}`,
    )
    console.log(
      `    batches                   ${fmt(batches)} for ${fmt(batchedMessages)} messages: mean ${meanBatch.toFixed(1)}` +
        ` appended/batch; per commit mean ${mean(commits.map((c) => c.processed)).toFixed(1)} outcomes,` +
        ` ${mean(commits.map((c) => c.snapshots)).toFixed(1)} snapshots`,
    )
    console.log(
      `    commit time               p50 ${ms(percentile(commitMs, 0.5))}, p99 ${ms(percentile(commitMs, 0.99))};` +
        ` gap between commits mean ${ms(mean(gaps))}, p99 ${ms(percentile(ascending(gaps), 0.99))}`,
    )
    const concurrentAfter = await perMessageRound(timed.persistence, senders, perMessageMs / 2, 1e9, "a")
    const concurrentCount = concurrentBefore.count + concurrentAfter.count
    const concurrent = {
      count: concurrentCount,
      perSecond: perSecond(concurrentCount, concurrentBefore.elapsed + concurrentAfter.elapsed),
    }
    const concurrentLatency = ascending([...concurrentBefore.latencies, ...concurrentAfter.latencies])
    const ratio = groupCommit / concurrent.perSecond
    console.log(
      `(a) per message, ${senders} senders      ${fmt(concurrent.perSecond)} accepts/s   (${fmt(concurrent.count)} transactions;` +
        ` before (b) ${fmt(concurrentBefore.perSecond)}/s, after ${fmt(concurrentAfter.perSecond)}/s;` +
        ` p50 ${ms(percentile(concurrentLatency, 0.5))}, p99 ${ms(percentile(concurrentLatency, 0.99))})`,
    )
    console.log(
      `    ratio group/per-message   ${ratio.toFixed(2)} vs ${senders} senders (target ≥ 10),` +
        ` ${(groupCommit / sequential.perSecond).toFixed(2)} vs 1 sender; p99 ack ${ms(p99)} (target ≤ 20 ms)`,
    )

    // Every acknowledged message is in the journal, was processed, and reached its counter.
    const delivered = addresses.reduce((sum, a) => sum + countOf(system, a), 0)
    await system.shutdown()
    const [row] = await Effect.runPromise(
      storage.sql<{ readonly total: string; readonly done: string }>`
        SELECT count(*) AS total, count(*) FILTER (WHERE j.outcome IS NOT NULL OR j.seq <= s.seq) AS done
        FROM journal AS j LEFT JOIN snapshots AS s ON s.address = j.to_address
        WHERE j.to_address LIKE ${`${PLUGIN}/%`}`,
    )
    const expected = warmed + messages
    if (delivered !== expected || Number(row?.total) !== expected || Number(row?.done) !== expected)
      throw new Error(
        `expected ${expected} messages; counters reached ${delivered}, journal holds ${row?.total} (${row?.done} processed)`,
      )
    if (journal.stats.failures > 0)
      throw new Error(`${journal.stats.failures} commits failed and were retried`)
    const seconds = (performance.now() - started) / 1000
    console.log(
      `    checked: ${fmt(expected)} messages journaled, processed and counted; total ${seconds.toFixed(1)} s`,
    )

    console.log(
      JSON.stringify({
        bench: "journal",
        backend,
        per_message_per_s: Math.round(concurrent.perSecond),
        per_message_sequential_per_s: Math.round(sequential.perSecond),
        group_commit_per_s: Math.round(groupCommit),
        ratio: Number(ratio.toFixed(2)),
        ratio_vs_sequential: Number((groupCommit / sequential.perSecond).toFixed(2)),
        p50_ack_ms: round2(p50),
        p99_ack_ms: round2(p99),
        p999_ack_ms: round2(percentile(acks, 0.999)),
        max_ack_ms: round2(acks[acks.length - 1] ?? Number.NaN),
        batches,
        mean_batch_size: Number(meanBatch.toFixed(1)),
        commit_p50_ms: round2(percentile(commitMs, 0.5)),
        commit_p99_ms: round2(percentile(commitMs, 0.99)),
        per_message_p50_ms: round2(percentile(concurrentLatency, 0.5)),
        per_message_p99_ms: round2(percentile(concurrentLatency, 0.99)),
        targets_met: ratio >= 10 && p99 <= 20,
        senders,
        messages,
        rounds,
        actors,
        group_commit_rounds: rates.map(Math.round),
        per_message_transactions: concurrent.count,
        per_message_sequential_transactions: sequential.count,
        per_message_before_per_s: Math.round(concurrentBefore.perSecond),
        per_message_after_per_s: Math.round(concurrentAfter.perSecond),
        group_commit_all_rounds_per_s: Math.round(perSecond(messages, ackMs)),
        seconds: Number(seconds.toFixed(1)),
        node: process.version,
      }),
    )
  } finally {
    await scratch.close()
  }
}

const countOf = (system: ActorSystem, address: string): number =>
  (system.snapshot(address) as { context: { count: number } } | undefined)?.context.count ?? 0
