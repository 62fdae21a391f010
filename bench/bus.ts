// The bus benchmark: bare XState v5 against the same machine hosted by the actor system — tell
// throughput, ask round trips (sequential and concurrent) and heap per idle actor. Last line is JSON.
import { createActor } from "xstate"
import type { AnyActor } from "xstate"
import { ActorSystem } from "../runtime/ActorSystem.js"
import { assign, definePlugin, reply, Schema, setup, spawnChild } from "../runtime/sdk/index.js"
import type { MessageEvents } from "../runtime/sdk/index.js"
import { collect, envInt, fmt, median, perSecond, settledHeap } from "./lib/measure.js"

// ------------------------------------------------------------------ the machines

const counterAccepts = { inc: Schema.Struct({}), get: Schema.Struct({}) }

/** The trivial machine both sides run: a counter. `get` (answering an ask) is never sent to bare XState. */
const counterMachine = setup({
  types: { context: {} as { count: number }, events: {} as { type: "inc" } | { type: "get" } },
}).createMachine({
  id: "counter",
  context: { count: 0 },
  on: {
    inc: { actions: assign({ count: ({ context }) => context.count + 1 }) },
    get: { actions: reply(({ context }) => context.count) },
  },
})

const hubAccepts = { spawn: Schema.Struct({ name: Schema.String }) }

/** The plugin's root only spawns counters: they are its children at `bench-bus/<name>`, as agents' workers are. */
const hubMachine = setup({ types: { events: {} as MessageEvents<typeof hubAccepts> } }).createMachine({
  id: "hub",
  on: { spawn: { actions: spawnChild("counter", ({ event }) => event.payload.name) } },
})

const HUB = "bench-bus"

const benchPlugin = definePlugin({
  name: HUB,
  version: "0.0.0",
  description: "bench: a hub that spawns counters",
  machine: hubMachine,
  accepts: hubAccepts,
  children: { counter: { machine: counterMachine, accepts: counterAccepts } },
})

// ------------------------------------------------------------------ set-up

/** A system hosting the plugin with `count` counter children; spawns go through the hub's mailbox. */
const hostCounters = async (count: number): Promise<{ system: ActorSystem; addresses: string[] }> => {
  const system = new ActorSystem()
  system.host(benchPlugin)
  const addresses: string[] = []
  for (let i = 0; i < count; i++) {
    const name = `c${i}`
    system.tell(HUB, { type: "spawn", payload: { name } })
    addresses.push(`${HUB}/${name}`)
    // The hub keeps the default mailbox (1000): spawn in chunks, letting it drain between them.
    if ((i + 1) % 500 === 0) await system.idle()
  }
  await system.idle()
  const last = system.actor(addresses[count - 1]!)
  if (last?.status !== "running") throw new Error(`spawning ${count} counters failed`)
  return { system, addresses }
}

const bareCounters = (count: number): AnyActor[] => {
  const actors: AnyActor[] = []
  for (let i = 0; i < count; i++) actors.push(createActor(counterMachine).start())
  return actors
}

const countOf = (snapshot: unknown): number => (snapshot as { context: { count: number } }).context.count

// ------------------------------------------------------------------ the timed rounds

/** (a) `actor.send` round-robin over bare XState actors; returns events/s. */
const bareRound = (actors: ReadonlyArray<AnyActor>, events: number): number => {
  const n = actors.length
  collect()
  const start = performance.now()
  for (let i = 0; i < events; i++) actors[i % n]!.send({ type: "inc" })
  return perSecond(events, performance.now() - start)
}

/**
 * (b) `system.tell` round-robin, every message validated against the counter's schema as in production;
 * timed until `idle()` says all were processed. Mailboxes keep the runtime's default capacity (1000):
 * events are sent in chunks of `perActorChunk` per actor (well under capacity), awaiting `idle()` after
 * each chunk, so the bench exercises the production configuration and never hits MailboxFull.
 */
const tellRound = async (
  system: ActorSystem,
  addresses: ReadonlyArray<string>,
  events: number,
  perActorChunk: number,
): Promise<number> => {
  const n = addresses.length
  const chunk = n * perActorChunk
  const deliveredBefore = system.stats.delivered
  collect()
  const start = performance.now()
  let i = 0
  while (i < events) {
    const end = Math.min(events, i + chunk)
    for (; i < end; i++) system.tell(addresses[i % n]!, { type: "inc" })
    await system.idle()
  }
  const elapsed = performance.now() - start
  const delivered = system.stats.delivered - deliveredBefore
  if (delivered !== events) throw new Error(`sent ${events} messages but ${delivered} were delivered`)
  return perSecond(events, elapsed)
}

/** (c) asks awaited one after another; returns round trips/s. */
const askSequentialRound = async (system: ActorSystem, addresses: ReadonlyArray<string>, asks: number) => {
  const n = addresses.length
  collect()
  const start = performance.now()
  for (let i = 0; i < asks; i++) await system.ask(addresses[i % n]!, { type: "get" })
  return perSecond(asks, performance.now() - start)
}

/** (c) `concurrency` askers, each awaiting its own asks in turn; returns round trips/s over all of them. */
const askConcurrentRound = async (
  system: ActorSystem,
  addresses: ReadonlyArray<string>,
  asks: number,
  concurrency: number,
) => {
  const n = addresses.length
  const each = Math.ceil(asks / concurrency)
  const asker = async (k: number) => {
    for (let j = 0; j < each; j++) await system.ask(addresses[(k + concurrency * j) % n]!, { type: "get" })
  }
  collect()
  const start = performance.now()
  await Promise.all(Array.from({ length: concurrency }, (_, k) => asker(k)))
  return perSecond(each * concurrency, performance.now() - start)
}

/**
 * (d) Heap growth per idle actor, after forced GC, for `count` actors made by `make`; `dispose` then
 * releases them, so the next reading starts from the same heap.
 */
const heapPerActor = async <T>(
  count: number,
  make: (count: number) => Promise<T>,
  dispose: (held: T) => Promise<unknown>,
): Promise<number> => {
  const before = await settledHeap()
  const held = await make(count)
  const after = await settledHeap()
  await dispose(held) // also keeps `held` alive across the reading
  return (after - before) / count
}

const hostedIdle = (count: number) =>
  heapPerActor(
    count,
    async (n) => (await hostCounters(n)).system,
    (system) => system.shutdown(),
  )

const bareIdle = (count: number) =>
  heapPerActor(
    count,
    (n) => Promise.resolve(bareCounters(n)),
    (actors) => Promise.resolve(actors.forEach((actor) => actor.stop())),
  )

// ------------------------------------------------------------------ the bench

/**
 * Runs (a)–(d). Knobs (env): BENCH_EVENTS (events per case, split over the rounds; default 1,000,000),
 * BENCH_ROUNDS (5), BENCH_ACTORS (1000), BENCH_CHUNK (tells per actor between idle() waits; 100),
 * BENCH_ASKS (concurrent asks per round; sequential rounds do a fifth), BENCH_ASK_CONCURRENCY (64),
 * BENCH_IDLE_ACTORS (10,000). Each case is warmed up with one unmeasured round.
 */
export const run = async (): Promise<void> => {
  const actors = envInt("BENCH_ACTORS", 1000)
  const events = envInt("BENCH_EVENTS", 1_000_000)
  const rounds = envInt("BENCH_ROUNDS", 5)
  const perRound = Math.ceil(events / rounds)
  const warmup = perRound
  const perActorChunk = envInt("BENCH_CHUNK", 100)
  const asks = envInt("BENCH_ASKS", 50_000)
  const concurrency = envInt("BENCH_ASK_CONCURRENCY", 64)
  const idleActors = envInt("BENCH_IDLE_ACTORS", 10_000)
  const started = performance.now()

  console.log(
    `bus bench: ${fmt(actors)} actors, ${fmt(events)} events per case in ${rounds} rounds of ${fmt(perRound)}` +
      ` (median reported), node ${process.version}`,
  )

  // (a) All bare rounds run before any runtime code does, so XState's JIT state is untouched by the
  // runtime's event shapes: the baseline is the best bare XState manages (a conservative ratio).
  const bare = bareCounters(actors)
  bareRound(bare, warmup)
  const bareRates: number[] = []
  for (let r = 0; r < rounds; r++) bareRates.push(bareRound(bare, perRound))
  const bareTotal = bare.reduce((sum, actor) => sum + countOf(actor.getSnapshot()), 0)
  if (bareTotal !== warmup + rounds * perRound) throw new Error(`bare counters reached ${bareTotal}`)
  bare.forEach((actor) => actor.stop())
  const baseline = median(bareRates)
  console.log(
    `(a) bare XState send        ${fmt(baseline)} events/s   rounds: ${bareRates.map(fmt).join(", ")}`,
  )

  // (b) The same machine hosted: 1 plugin root spawning `actors` counter children via spawnChild.
  const { system, addresses } = await hostCounters(actors)
  await tellRound(system, addresses, warmup, perActorChunk)
  const tellRates: number[] = []
  for (let r = 0; r < rounds; r++) tellRates.push(await tellRound(system, addresses, perRound, perActorChunk))
  const hostedTotal = addresses.reduce((sum, address) => sum + countOf(system.snapshot(address)), 0)
  if (hostedTotal !== warmup + rounds * perRound) throw new Error(`hosted counters reached ${hostedTotal}`)
  const tell = median(tellRates)
  console.log(`(b) runtime tell + idle()   ${fmt(tell)} events/s   rounds: ${tellRates.map(fmt).join(", ")}`)
  console.log(`    ratio tell/baseline     ${(tell / baseline).toFixed(3)}   (target ≥ 0.80)`)

  // (c) Ask round trips against the same counters (each ask is validated, queued, answered by `reply`).
  const sequentialAsks = Math.max(1, Math.floor(asks / 5))
  await askSequentialRound(system, addresses, sequentialAsks) // warm-up
  const sequentialRates: number[] = []
  for (let r = 0; r < rounds; r++)
    sequentialRates.push(await askSequentialRound(system, addresses, sequentialAsks))
  await askConcurrentRound(system, addresses, asks, concurrency) // warm-up
  const concurrentRates: number[] = []
  for (let r = 0; r < rounds; r++)
    concurrentRates.push(await askConcurrentRound(system, addresses, asks, concurrency))
  const askSequential = median(sequentialRates)
  const askConcurrent = median(concurrentRates)
  console.log(
    `(c) ask, sequential         ${fmt(askSequential)} round trips/s   rounds: ${sequentialRates.map(fmt).join(", ")}`,
  )
  console.log(
    `    ask, ${concurrency} concurrent askers ${fmt(askConcurrent)} round trips/s   rounds: ${concurrentRates.map(fmt).join(", ")}`,
  )
  await system.shutdown()

  // (d) Heap per idle actor, after forced GC. A throwaway pass first, so lazily built module state
  // (schema caches, JIT code) is not charged to the measured actors.
  await hostedIdle(200)
  await bareIdle(200)
  const hostedBytes: number[] = []
  const bareBytes: number[] = []
  for (let r = 0; r < 3; r++) {
    hostedBytes.push(await hostedIdle(idleActors))
    bareBytes.push(await bareIdle(idleActors))
  }
  const bytesPerActor = median(hostedBytes)
  const xstateBytesPerActor = median(bareBytes)
  console.log(
    `(d) heap per idle actor     runtime ${fmt(bytesPerActor)} B, bare XState ${fmt(xstateBytesPerActor)} B` +
      `   (${fmt(idleActors)} actors, median of 3: ${hostedBytes.map(fmt).join(", ")} / ${bareBytes.map(fmt).join(", ")})`,
  )
  const seconds = (performance.now() - started) / 1000
  console.log(`    total ${seconds.toFixed(1)} s`)

  console.log(
    JSON.stringify({
      bench: "bus",
      baseline_per_s: Math.round(baseline),
      tell_per_s: Math.round(tell),
      ratio: Number((tell / baseline).toFixed(4)),
      ask_per_s: Math.round(askConcurrent),
      ask_sequential_per_s: Math.round(askSequential),
      ask_concurrency: concurrency,
      bytes_per_idle_actor: Math.round(bytesPerActor),
      xstate_bytes_per_idle_actor: Math.round(xstateBytesPerActor),
      events,
      rounds,
      actors,
      idle_actors: idleActors,
      tell_chunk_per_actor: perActorChunk,
      baseline_rounds: bareRates.map(Math.round),
      tell_rounds: tellRates.map(Math.round),
      ask_rounds: concurrentRates.map(Math.round),
      ask_sequential_rounds: sequentialRates.map(Math.round),
      seconds: Number(seconds.toFixed(1)),
      node: process.version,
    }),
  )
}
