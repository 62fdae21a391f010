// The actor system: hosts each plugin's machine as a supervised actor at a stable address, delivers
// messages through bounded mailboxes in FIFO order, answers asks, fans out topics, and restarts crashed
// actors per their plugin's strategy. Senders only ever name addresses; no caller holds an actor.
import { Context, Effect, Either, Schema } from "effect"
import { createActor } from "xstate"
import type { AnyActor, AnyEventObject, AnyMachineSnapshot, Snapshot } from "xstate"
import type { RuntimeEmitted } from "./Actions.js"
import { systemClock } from "./Clock.js"
import type { Clock, Timer } from "./Clock.js"
import { registerEffectHost } from "./Effects.js"
import { EXTERNAL, newMessageId, reserveMessageId } from "./Envelope.js"
import type { Envelope, Message, SendContext } from "./Envelope.js"
import { silentLog } from "./Log.js"
import type { Log } from "./Log.js"
import { GroupCommit } from "./GroupCommit.js"
import { ActorCell } from "./internal/actorCell.js"
import type { ActorStatus, HostedPlugin } from "./internal/actorCell.js"
import { Delivery } from "./internal/delivery.js"
import { NO_PAYLOAD, formatIssue } from "./internal/messageValidation.js"
import type { Persistence, Recovered, SnapshotRecord } from "./Persistence.js"
import type { ActorDefinition, childMessages, Plugin } from "./Plugin.js"
import {
  ActorCrashed,
  ActorUnavailable,
  AddressTaken,
  AskTimeout,
  InvalidMessage,
  MailboxFull,
  PluginLoadError,
  ReplyError,
  ShuttingDown,
  UnknownAddress,
  describeCause,
} from "./RuntimeError.js"
import type { AskError, DeliveryError } from "./RuntimeError.js"
import { ActorSelf, Bus } from "./Services.js"
import type { BusApi } from "./Services.js"
import { backoffDelay } from "./Supervision.js"
import { Topics } from "./Topics.js"
import type { TopicEvent, TopicListener } from "./Topics.js"

export type { ActorStatus } from "./internal/actorCell.js"

export interface ActorInfo {
  readonly address: string
  readonly plugin: string
  /** The child kind, or null for a plugin's root actor. */
  readonly kind: string | null
  readonly parent: string | null
  readonly state: unknown
  readonly status: ActorStatus
  readonly mailboxDepth: number
  readonly mailboxCapacity: number
  readonly restarts: number
  readonly processed: number
  readonly lastError: string | null
}

export interface PluginInfo {
  readonly name: string
  readonly version: string
  readonly description: string | null
  readonly path: string | null
  readonly accepts: ReadonlyArray<string>
  readonly emits: ReadonlyArray<string>
  readonly children: ReadonlyArray<string>
}

export interface ActorSystemOptions {
  readonly clock?: Clock
  /** Source of jitter for restart backoff, in [0, 1). */
  readonly random?: () => number
  readonly log?: Log
  /** Mailbox capacity for actors whose definition sets none. */
  readonly mailboxCapacity?: number
  readonly askTimeoutMs?: number
  /** Messages one actor processes before the next actor gets a turn. */
  readonly throughput?: number
  /**
   * Durable storage: with it, every message to a durable actor is journaled before it is acknowledged or
   * delivered, and snapshots are written in batches; without it, the system runs in memory only.
   */
  readonly persistence?: Persistence
  /**
   * Accept and queue messages but deliver none until `resume()`: start-up hosts every plugin first, so
   * that messages replayed from the journal find every address they are sent to.
   */
  readonly startPaused?: boolean
  /** Platform services (Database, Cache, Llm, …) provided to plugins' Effect programs. */
  readonly services?: Context.Context<never>
}

export interface ShutdownReport {
  /** True when every mailbox emptied before the timeout. */
  readonly drained: boolean
  /** Messages still queued when the timeout ran out (each reported as a dead letter). */
  readonly undelivered: number
}

export interface SystemStats {
  delivered: number
  deadLetters: number
  crashes: number
  restarts: number
  failures: number
}

export interface HostOptions {
  /** The plugin's raw config, decoded by its config schema. */
  readonly config?: unknown
  /** The plugin's folder, for reports. */
  readonly path?: string | null
}

interface PendingAsk {
  readonly resolve: (value: unknown) => void
  readonly reject: (error: AskError) => void
  readonly timer: Timer
}

/** Waits for `work` until `deadline` (epoch ms): true if it finished in time. */
const withDeadline = (work: Promise<void>, deadline: number): Promise<boolean> =>
  new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()))
    work.then(
      () => {
        clearTimeout(timer)
        resolve(true)
      },
      () => {
        clearTimeout(timer)
        resolve(false)
      },
    )
  })

export class ActorSystem {
  private readonly cells = new Map<string, ActorCell>()
  private readonly hostedPlugins = new Map<string, HostedPlugin>()
  private readonly pending = new Map<string, PendingAsk>()
  private readonly topics = new Topics()
  private readonly runQueue: ActorCell[] = []
  private runHead = 0
  private drainScheduled = false
  private idleWaiters: Array<() => void> = []
  private accepting = true
  private paused: boolean
  private transitionWatchers = 0
  private readonly clock: Clock
  private readonly random: () => number
  private readonly log: Log
  private readonly defaultCapacity: number
  private readonly askTimeoutMs: number
  private readonly throughput: number
  private readonly services: Context.Context<never>
  private readonly persistence: Persistence | null
  /** Present with persistence: batches journal appends, outcomes and snapshots into transactions. */
  readonly journal: GroupCommit | null
  /** XState's delayed transitions (`after`) run on the same clock as supervision and ask timeouts. */
  private readonly xstateClock: {
    setTimeout: (fn: () => void, ms: number) => Timer
    clearTimeout: (t: Timer) => void
  }
  readonly stats: SystemStats = { delivered: 0, deadLetters: 0, crashes: 0, restarts: 0, failures: 0 }

  constructor(options: ActorSystemOptions = {}) {
    this.clock = options.clock ?? systemClock
    const clock = this.clock
    this.xstateClock = {
      setTimeout: (fn, ms) => clock.setTimer(ms, fn),
      clearTimeout: (timer) => timer.cancel(),
    }
    this.random = options.random ?? Math.random
    this.log = options.log ?? silentLog
    this.defaultCapacity = options.mailboxCapacity ?? 1000
    this.askTimeoutMs = options.askTimeoutMs ?? 5000
    this.throughput = options.throughput ?? 100
    this.services = options.services ?? Context.empty()
    this.persistence = options.persistence ?? null
    this.paused = options.startPaused ?? false
    this.journal = this.persistence && new GroupCommit(this.persistence, this.clock, this.log)
  }

  // ---------------------------------------------------------------- plugins

  /**
   * Hosts a plugin: decodes its config and starts its root actor at its name. Fails with a
   * `PluginLoadError` (duplicate name, bad config, a machine that does not start); other plugins are
   * unaffected.
   */
  host(plugin: Plugin, options: HostOptions = {}): void {
    this.hostWith(plugin, options, null)
  }

  /**
   * Hosts a plugin the way it was before a stop or crash: its root actor (and its durable children) from
   * their last snapshots, then the journaled messages after them, in order. Without persistence it is
   * `host`.
   */
  async recover(plugin: Plugin, options: HostOptions = {}): Promise<void> {
    if (this.persistence === null) return this.host(plugin, options)
    const recovered = await this.persistence.recover(plugin.name)
    const root = this.hostWith(plugin, options, recovered)
    await this.recoverChildren(root)
  }

  private hostWith(plugin: Plugin, options: HostOptions, recovered: Recovered | null): ActorCell {
    const path = options.path ?? null
    const fail = (code: PluginLoadError["code"], reason: string) =>
      new PluginLoadError({ code, plugin: plugin.name, path: path ?? "(in process)", reason })
    if (this.hostedPlugins.has(plugin.name) || this.cells.has(plugin.name))
      throw fail("PLUGIN_DUPLICATE_NAME", `a plugin named "${plugin.name}" is already loaded`)
    let config: unknown = undefined
    if (plugin.config) {
      const decoded = Schema.decodeUnknownEither(plugin.config)(options.config ?? {})
      if (Either.isLeft(decoded)) throw fail("PLUGIN_BAD_CONFIG", formatIssue(decoded.left.issue))
      config = decoded.right
    }
    const hosted: HostedPlugin = { plugin, config, path }
    const cell = this.newCell(plugin.name, hosted, null, plugin, null, undefined)
    try {
      if (recovered === null) this.startActor(cell, "fresh")
      else this.startRecovered(cell, recovered)
    } catch (cause) {
      throw fail("PLUGIN_START_FAILED", describeCause(cause))
    }
    if (cell.status !== "running")
      throw fail("PLUGIN_START_FAILED", cell.lastError ?? "the machine failed while starting")
    this.hostedPlugins.set(plugin.name, hosted)
    this.cells.set(plugin.name, cell)
    for (const pattern of plugin.subscribes ?? []) this.subscribeActor(cell, pattern)
    this.log.info("plugin started", { plugin: plugin.name, version: plugin.version })
    return cell
  }

  private newCell(
    address: string,
    hosted: HostedPlugin,
    kind: string | null,
    definition: ActorDefinition,
    parent: string | null,
    input: unknown,
  ): ActorCell {
    const durable = this.journal !== null && definition.persistence !== "transient"
    return new ActorCell(address, hosted, kind, definition, parent, input, this.defaultCapacity, durable)
  }

  /** Starts an actor from its recovered snapshot and queues the journaled messages it had not processed. */
  private startRecovered(cell: ActorCell, recovered: Recovered): void {
    cell.lastSeq = recovered.lastSeq
    cell.processedSeq = recovered.snapshot?.seq ?? 0
    for (const { envelope, seq } of recovered.pending)
      cell.mailbox.force(
        new Delivery(
          envelope.id,
          envelope.type,
          envelope.payload,
          envelope.from,
          envelope.to,
          envelope.correlationId,
          envelope.causationId,
          envelope.sentAt,
          seq,
        ),
      )
    this.startActor(cell, "fresh", recovered.snapshot?.state)
    if (recovered.snapshot !== null || recovered.pending.length > 0)
      this.log.info("actor recovered", {
        address: cell.address,
        fromSeq: cell.processedSeq,
        replaying: recovered.pending.length,
      })
  }

  private async recoverChildren(parent: ActorCell): Promise<void> {
    for (const record of await this.persistence!.children(parent.address)) {
      const definition = record.kind === null ? undefined : parent.hosted.plugin.children?.[record.kind]
      if (definition === undefined || this.cells.has(record.address)) continue
      const cell = this.newCell(
        record.address,
        parent.hosted,
        record.kind,
        definition,
        parent.address,
        record.input,
      )
      this.cells.set(cell.address, cell)
      parent.children.add(cell.address)
      this.startRecovered(cell, await this.persistence!.recover(record.address))
      await this.recoverChildren(cell)
    }
  }

  plugins(): PluginInfo[] {
    return [...this.hostedPlugins.values()].map(({ plugin, path }) => ({
      name: plugin.name,
      version: plugin.version,
      description: plugin.description ?? null,
      path,
      accepts: Object.keys(plugin.accepts),
      emits: Object.keys(plugin.emits ?? {}),
      children: Object.keys(plugin.children ?? {}),
    }))
  }

  // ---------------------------------------------------------------- messaging

  /**
   * Validates the message against the receiver's schema and enqueues it. Returns the envelope; throws a
   * `DeliveryError` (unknown address, refused message, full mailbox, unavailable actor, shutting down).
   */
  tell(to: string, message: Message, context: SendContext = {}): Envelope {
    const from = context.from ?? EXTERNAL
    if (!this.accepting && !this.cells.has(from)) throw new ShuttingDown()
    const cell = this.cells.get(to)
    if (cell === undefined) throw new UnknownAddress({ address: to })
    if (cell.status === "failed" || cell.status === "stopped")
      throw new ActorUnavailable({ address: to, status: cell.status })
    const validate = cell.validators.get(message.type)
    if (validate === undefined)
      throw new InvalidMessage({
        address: to,
        messageType: message.type,
        reason: `accepts no message of this type (it accepts: ${[...cell.validators.keys()].join(", ")})`,
      })
    const decoded = validate(message.payload === undefined ? NO_PAYLOAD : message.payload)
    if (Either.isLeft(decoded))
      throw new InvalidMessage({ address: to, messageType: message.type, reason: formatIssue(decoded.left) })
    if (cell.mailbox.size + cell.reserved >= cell.mailbox.capacity)
      throw new MailboxFull({ address: to, capacity: cell.mailbox.capacity })
    const envelope = new Delivery(
      reserveMessageId(),
      message.type,
      decoded.right,
      from,
      to,
      context.correlationId ?? null,
      context.causationId ?? null,
      this.clock.now(),
      cell.durable ? ++cell.lastSeq : 0,
    )
    if (cell.durable) {
      // Journal first: the actor sees the message only once it is durable (so does the sender's ack).
      cell.reserved++
      this.journal!.append({ envelope, seq: envelope.seq }, () => {
        cell.reserved--
        this.enqueue(cell, envelope)
      })
    } else this.enqueue(cell, envelope)
    return envelope
  }

  /**
   * `tell`, resolving once the message is durable (journaled, with persistence; at once without): what
   * an API acknowledges. Refusals reject with the same typed errors.
   */
  tellDurable(to: string, message: Message, context: SendContext = {}): Promise<Envelope> {
    return new Promise((resolve, reject) => {
      const envelope = this.tellOrReject(to, message, context, reject)
      if (envelope === undefined) return
      if (this.journal === null || !this.cells.get(to)?.durable) resolve(envelope)
      else this.journal.afterCommit(() => resolve(envelope))
    })
  }

  /** `tell` for promise-returning callers: a refusal rejects instead of throwing. */
  private tellOrReject(
    to: string,
    message: Message,
    context: SendContext,
    reject: (error: Error) => void,
  ): Envelope | undefined {
    try {
      return this.tell(to, message, context)
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)))
      return undefined
    }
  }

  private enqueue(cell: ActorCell, envelope: Delivery): void {
    // The actor stopped or failed while the message was being journaled.
    if (cell.status === "failed" || cell.status === "stopped" || this.cells.get(cell.address) !== cell)
      return this.refuse(cell, envelope, cell.status)
    cell.mailbox.force(envelope)
    if (cell.status === "running") this.schedule(cell)
  }

  /** Sends a message and resolves with the reply's payload, or rejects with a typed `AskError`. */
  ask(
    to: string,
    message: Message,
    options: SendContext & { readonly timeoutMs?: number } = {},
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const envelope = this.tellOrReject(to, message, options, reject)
      if (envelope === undefined) return
      const timeoutMs = options.timeoutMs ?? this.askTimeoutMs
      const timer = this.clock.setTimer(timeoutMs, () => {
        this.pending.delete(envelope.id)
        reject(new AskTimeout({ address: to, messageType: message.type, timeoutMs }))
      })
      this.pending.set(envelope.id, { resolve, reject, timer })
    })
  }

  /** Publishes an event to the topic's subscribers (listeners and subscribed actors). */
  publish(topic: string, event: Message, context: SendContext = {}): TopicEvent {
    const id = newMessageId()
    const published: TopicEvent = {
      topic,
      id,
      type: event.type,
      payload: event.payload,
      from: context.from ?? EXTERNAL,
      correlationId: context.correlationId ?? id,
      causationId: context.causationId ?? null,
      at: this.clock.now(),
    }
    this.topics.publish(published, (error) =>
      this.log.error("topic listener failed", { topic, reason: describeCause(error) }),
    )
    return published
  }

  /**
   * Subscribes a listener to a topic: an exact name, or a prefix ending in `*` (`guardian.*`, `*`).
   * Returns the function that unsubscribes.
   */
  subscribe(pattern: string, listener: TopicListener): () => void {
    const watchesTransitions = Topics.matches(pattern, "system.transitions")
    if (watchesTransitions && this.transitionWatchers++ === 0)
      for (const cell of this.cells.values()) this.watchTransitions(cell)
    const unsubscribe = this.topics.subscribe(pattern, listener)
    let active = true
    return () => {
      if (!active) return
      active = false
      unsubscribe()
      if (watchesTransitions && --this.transitionWatchers === 0)
        for (const cell of this.cells.values()) this.unwatchTransitions(cell)
    }
  }

  /** An Effect view of the bus, sending with the given sender and ids (plugins' programs, embedders). */
  busFor(context: SendContext): BusApi {
    return {
      tell: (to, message) =>
        Effect.try({ try: () => this.tell(to, message, context), catch: (e) => e as DeliveryError }),
      ask: (to, message, options) =>
        Effect.tryPromise({
          try: () => this.ask(to, message, { ...context, ...(options ?? {}) }),
          catch: (e) => e as AskError,
        }),
      publish: (topic, event) => Effect.sync(() => void this.publish(topic, event, context)),
    }
  }

  // ---------------------------------------------------------------- inspection and control

  actors(): ActorInfo[] {
    return [...this.cells.values()].map((cell) => this.info(cell))
  }

  actor(address: string): ActorInfo | undefined {
    const cell = this.cells.get(address)
    return cell && this.info(cell)
  }

  /** The actor's current XState snapshot (its context and state), for inspection. */
  snapshot(address: string): AnyMachineSnapshot | undefined {
    return this.cells.get(address)?.actor?.getSnapshot() as AnyMachineSnapshot | undefined
  }

  /** Restarts an actor now (also one that is `failed` or `stopped`), clearing its restart history. */
  restart(address: string): ActorInfo {
    const cell = this.cells.get(address)
    if (cell === undefined) throw new UnknownAddress({ address })
    cell.restartTimer?.cancel()
    cell.restartTimer = null
    this.stopMachine(cell)
    cell.recentRestarts = []
    cell.restarts++
    this.stats.restarts++
    this.startActor(cell, cell.supervision._tag === "Restart" ? cell.supervision.from : "fresh")
    this.system("actor.restarted", { address, manual: true })
    return this.info(cell)
  }

  /** Stops an actor and its children; queued messages become dead letters. A root stays listed. */
  stop(address: string): ActorInfo {
    const cell = this.cells.get(address)
    if (cell === undefined) throw new UnknownAddress({ address })
    this.stopCell(cell, "stopped by request")
    return this.info(cell)
  }

  /** Resolves once every mailbox is empty and nothing is scheduled (or after `timeoutMs`: false). */
  async idle(timeoutMs = 30_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    // With a journal, messages wait for their commit before they reach a mailbox: settle both, in turns.
    for (;;) {
      if (this.journal !== null && !(await withDeadline(this.journal.flush(), deadline))) return false
      if (!(await this.mailboxesIdle(deadline - Date.now()))) return false
      if (this.journal === null || this.journal.isIdle) return true
    }
  }

  private mailboxesIdle(timeoutMs: number): Promise<boolean> {
    if (!this.drainScheduled && this.runHead >= this.runQueue.length) return Promise.resolve(true)
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), Math.max(0, timeoutMs))
      this.idleWaiters.push(() => {
        clearTimeout(timer)
        resolve(true)
      })
    })
  }

  /**
   * Graceful stop: refuse new messages from outside, let actors work through their mailboxes (their
   * own messages to each other still flow) for at most `timeoutMs`, make everything durable, then stop
   * every actor. With persistence, what is still queued stays journaled and is delivered at next start.
   */
  async shutdown(options: { readonly timeoutMs?: number } = {}): Promise<ShutdownReport> {
    this.accepting = false
    const timeoutMs = options.timeoutMs ?? 25_000
    const drained = await this.idle(timeoutMs)
    let undelivered = 0
    for (const cell of [...this.cells.values()].reverse()) {
      undelivered += cell.mailbox.size
      this.stopCell(cell, "system shutdown", false)
    }
    for (const [id, ask] of this.pending) {
      ask.timer.cancel()
      ask.reject(new ShuttingDown())
      this.pending.delete(id)
    }
    const durable = this.journal === null || (await withDeadline(this.journal.flush(), Date.now() + 5000))
    this.log.info("actor system stopped", { drained, undelivered, durable })
    return { drained, undelivered }
  }

  /** Starts delivering (see `startPaused`). */
  resume(): void {
    if (!this.paused) return
    this.paused = false
    if (this.runHead < this.runQueue.length && !this.drainScheduled) {
      this.drainScheduled = true
      setImmediate(this.drain)
    }
  }

  get isAccepting(): boolean {
    return this.accepting
  }

  // ---------------------------------------------------------------- delivery

  private schedule(cell: ActorCell): void {
    if (cell.scheduled) return
    cell.scheduled = true
    this.runQueue.push(cell)
    if (!this.drainScheduled && !this.paused) {
      this.drainScheduled = true
      setImmediate(this.drain)
    }
  }

  /** Gives each scheduled actor a turn of up to `throughput` messages; yields to I/O between slices. */
  private readonly drain = (): void => {
    this.drainScheduled = false
    // A slice ends after a message budget or a few milliseconds, whichever comes first, so timers and
    // I/O (the gateway, ask timeouts, shutdown deadlines) are never starved by a busy system.
    let budget = 20_000
    const sliceEnd = performance.now() + 10
    while (this.runHead < this.runQueue.length && budget > 0 && performance.now() < sliceEnd) {
      const cell = this.runQueue[this.runHead++]!
      cell.scheduled = false
      let n = 0
      while (n < this.throughput && cell.status === "running") {
        const envelope = cell.mailbox.take()
        if (envelope === undefined) break
        this.deliver(cell, envelope)
        n++
      }
      budget -= n + 1
      if (cell.status === "running" && cell.mailbox.size > 0) this.schedule(cell)
    }
    if (this.runHead >= this.runQueue.length) {
      this.runQueue.length = 0
      this.runHead = 0
    } else if (this.runHead > 4096) {
      this.runQueue.splice(0, this.runHead)
      this.runHead = 0
    }
    if (this.runHead < this.runQueue.length) {
      if (!this.drainScheduled) {
        this.drainScheduled = true
        setImmediate(this.drain)
      }
    } else if (this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters
      this.idleWaiters = []
      for (const wake of waiters) wake()
    }
  }

  private deliver(cell: ActorCell, envelope: Delivery): void {
    const actor = cell.actor!
    const event = envelope as AnyEventObject
    // Only asks pay for this check: a tell the state ignores costs nothing, an ask would wait for its timeout.
    if (this.pending.size !== 0 && this.pending.has(envelope.id)) {
      const before = actor.getSnapshot() as AnyMachineSnapshot
      if (!before.can(event)) {
        const reason = `"${envelope.type}" is not handled in state ${JSON.stringify(before.value)}`
        this.failAsk(envelope, new ReplyError({ address: cell.address, code: "UnhandledInState", reason }))
        if (cell.durable) this.recordOutcome(cell, envelope, `refused: ${reason}`)
        return
      }
    }
    cell.current = envelope
    actor.send(event)
    cell.current = null
    if (cell.status === "running") {
      cell.processed++
      this.stats.delivered++
      cell.lastGood = actor.getSnapshot() as AnyMachineSnapshot
      if (cell.durable) this.recordOutcome(cell, envelope, "processed")
    }
  }

  /**
   * Journals what became of a message. A processed one only advances the actor's snapshot: the journal
   * reads it as processed because the snapshot covers its position, which spares a write per message.
   */
  private recordOutcome(cell: ActorCell, envelope: Delivery, outcome: string): void {
    const journal = this.journal!
    if (outcome !== "processed") return journal.processed({ id: envelope.id, outcome })
    if (envelope.seq > cell.processedSeq) cell.processedSeq = envelope.seq
    journal.touch(cell.address, () => this.snapshotRecord(cell))
  }

  private snapshotRecord(cell: ActorCell): SnapshotRecord {
    const machine = cell.definition.machine
    const state =
      cell.status === "running" && cell.actor !== null
        ? cell.actor.getPersistedSnapshot()
        : cell.lastGood && machine.getPersistedSnapshot(cell.lastGood)
    return {
      address: cell.address,
      plugin: cell.hosted.plugin.name,
      kind: cell.kind,
      parent: cell.parent,
      input: cell.input ?? null,
      seq: cell.processedSeq,
      state,
    }
  }

  private onEmitted(cell: ActorCell, emitted: RuntimeEmitted): void {
    // A durable actor's answers and events leave only once the state that produced them is durable, so
    // nobody ever sees the effect of a step that a crash could undo.
    if (cell.durable && (emitted.type === "lvlup.reply" || emitted.type === "lvlup.publish")) {
      const current = cell.current
      this.journal!.afterCommit(() => {
        const later = cell.current
        cell.current = current
        try {
          this.emit(cell, emitted)
        } finally {
          cell.current = later
        }
      })
      return
    }
    this.emit(cell, emitted)
  }

  private emit(cell: ActorCell, emitted: RuntimeEmitted): void {
    const context: SendContext = {
      from: cell.address,
      correlationId: cell.current?.correlationId,
      causationId: cell.current?.id ?? null,
    }
    switch (emitted.type) {
      case "lvlup.reply": {
        const request = emitted.inReplyTo ?? cell.current
        if (request === null) {
          this.log.warn("reply with no request to answer", { address: cell.address })
          return
        }
        const ask = this.pending.get(request.id)
        if (ask === undefined) return // a tell, or an ask that already timed out: nobody waits
        this.pending.delete(request.id)
        ask.timer.cancel()
        if (emitted.error)
          ask.reject(
            new ReplyError({
              address: cell.address,
              code: emitted.error.code,
              reason: emitted.error.message,
              details: emitted.error.details,
            }),
          )
        else ask.resolve(emitted.payload)
        return
      }
      case "lvlup.tell":
        try {
          this.tell(emitted.to, emitted.message, context)
        } catch (error) {
          this.deadLetter(
            { from: cell.address, to: emitted.to, type: emitted.message.type },
            describeCause(error),
          )
        }
        return
      case "lvlup.publish": {
        const schemas = cell.hosted.plugin.emits ?? {}
        const schema = schemas[emitted.event.type]
        if (schema === undefined) {
          this.log.error("publish of an undeclared event type refused", {
            address: cell.address,
            type: emitted.event.type,
          })
          return
        }
        const decoded = Schema.decodeUnknownEither(schema)(emitted.event.payload ?? {})
        if (Either.isLeft(decoded)) {
          this.log.error("publish of an invalid event refused", {
            address: cell.address,
            type: emitted.event.type,
            reason: formatIssue(decoded.left.issue),
          })
          return
        }
        this.publish(
          emitted.topic ?? cell.hosted.plugin.name,
          { type: emitted.event.type, payload: decoded.right },
          context,
        )
        return
      }
      case "lvlup.spawn":
        this.spawn(cell, emitted.kind, emitted.name, emitted.input)
        return
      case "lvlup.stop-child": {
        const child = this.cells.get(`${cell.address}/${emitted.name}`)
        if (child !== undefined) this.stopCell(child, "stopped by its parent")
        return
      }
    }
  }

  private subscribeActor(cell: ActorCell, pattern: string): void {
    this.topics.subscribe(pattern, (event) => {
      if (event.from === cell.address) return
      try {
        this.tell(
          cell.address,
          { type: event.type, payload: event.payload },
          { from: event.from, correlationId: event.correlationId, causationId: event.id },
        )
      } catch (error) {
        this.deadLetter({ from: event.from, to: cell.address, type: event.type }, describeCause(error))
      }
    })
  }

  // ---------------------------------------------------------------- lifecycle and supervision

  private spawn(parent: ActorCell, kind: string, name: string, input: unknown): void {
    const definition = parent.hosted.plugin.children?.[kind]
    const address = `${parent.address}/${name}`
    if (definition === undefined) {
      this.system("actor.spawn-refused", { address, reason: `plugin declares no child kind "${kind}"` })
      return
    }
    if (this.cells.has(address)) {
      this.system("actor.spawn-refused", { address, reason: new AddressTaken({ address }).message })
      return
    }
    const cell = this.newCell(address, parent.hosted, kind, definition, parent.address, input)
    this.cells.set(address, cell)
    parent.children.add(address)
    this.startActor(cell, "fresh")
    this.system("actor.spawned", { address, kind, parent: parent.address })
  }

  /** Starts the machine: from `persisted` (a stored snapshot), else per `from`, else fresh. */
  private startActor(cell: ActorCell, from: "snapshot" | "fresh", persisted?: unknown): void {
    const machine = cell.definition.machine
    let actor: AnyActor
    const create = (snapshot: Snapshot<unknown> | undefined) =>
      createActor(machine, {
        input: cell.actorInput(),
        id: cell.address,
        clock: this.xstateClock,
        ...(snapshot ? { snapshot } : {}),
      })
    const stored =
      persisted !== undefined && persisted !== null
        ? (persisted as Snapshot<unknown>)
        : from === "snapshot" && cell.lastGood !== null
          ? machine.getPersistedSnapshot(cell.lastGood)
          : undefined
    if (stored !== undefined) {
      try {
        actor = create(stored)
        // XState reports a snapshot that does not fit the machine (a plugin upgrade changed its states)
        // as an errored actor, not a throw: never start that one.
        const restored = actor.getSnapshot() as { status: string; error?: unknown }
        if (restored.status === "error")
          throw new Error(describeCause(restored.error ?? "the snapshot does not fit the machine"))
      } catch (error) {
        this.system("actor.snapshot-incompatible", { address: cell.address, reason: describeCause(error) })
        this.log.warn("snapshot could not be restored; starting fresh", {
          address: cell.address,
          reason: describeCause(error),
        })
        actor = create(undefined)
      }
    } else actor = create(undefined)
    registerEffectHost(actor.system, {
      // Programs start inside the transition that invoked them, so `current` is the message they serve.
      contextForNewProgram: () => {
        const cause = cell.current
        const sendContext: SendContext = {
          from: cell.address,
          correlationId: cause?.correlationId,
          causationId: cause?.id ?? null,
        }
        return Context.merge(
          this.services,
          Context.make(Bus, this.busFor(sendContext)).pipe(
            Context.add(ActorSelf, { address: cell.address, plugin: cell.hosted.plugin.name, cause }),
          ),
        )
      },
    })
    actor.on("*", (emitted) => this.onEmitted(cell, emitted as RuntimeEmitted))
    actor.subscribe({
      error: (error) => this.onCrash(cell, actor, error),
      complete: () => {
        if (cell.actor === actor && cell.status === "running") this.onDone(cell)
      },
    })
    cell.actor = actor
    cell.status = "running"
    if (this.transitionWatchers > 0) this.watchTransitions(cell)
    actor.start()
    if (cell.status === "running") {
      cell.lastGood = actor.getSnapshot() as AnyMachineSnapshot
      if (cell.mailbox.size > 0) this.schedule(cell)
    }
  }

  private onCrash(cell: ActorCell, actor: AnyActor, error: unknown): void {
    if (cell.actor !== actor || cell.status !== "running") return
    const reason = describeCause(error)
    cell.lastError = reason
    this.stats.crashes++
    const request = cell.current as Delivery | null
    if (request !== null) {
      this.failAsk(request, new ActorCrashed({ address: cell.address, messageType: request.type, reason }))
      // Not delivered again after a restart of the process: it would crash the actor again.
      if (cell.durable) this.recordOutcome(cell, request, `crashed: ${reason}`)
    }
    this.unwatchTransitions(cell)
    this.log.warn("actor crashed", { address: cell.address, reason })
    this.system("actor.crashed", { address: cell.address, reason, messageType: request?.type ?? null })
    const strategy = cell.supervision
    if (strategy._tag === "Stop") return this.escalate(cell, reason)
    const now = this.clock.now()
    cell.recentRestarts = cell.recentRestarts.filter((at) => now - at < strategy.withinMs)
    if (cell.recentRestarts.length >= strategy.maxRestarts) return this.escalate(cell, reason)
    cell.recentRestarts.push(now)
    const attempt = cell.recentRestarts.length
    const delayMs = backoffDelay(strategy, attempt, this.random)
    cell.status = "restarting"
    this.system("actor.restarting", { address: cell.address, attempt, delayMs })
    cell.restartTimer = this.clock.setTimer(delayMs, () => {
      cell.restartTimer = null
      if (cell.status !== "restarting") return
      cell.restarts++
      this.stats.restarts++
      this.startActor(cell, strategy.from)
      this.system("actor.restarted", { address: cell.address, attempt })
    })
  }

  /** Too many restarts (or a `stop` strategy): the actor stays `failed` until restarted by hand. */
  private escalate(cell: ActorCell, reason: string): void {
    cell.status = "failed"
    this.stats.failures++
    this.rejectQueued(cell, "failed")
    this.log.error("actor failed", { address: cell.address, reason, restarts: cell.restarts })
    this.system("actor.failed", { address: cell.address, reason, restarts: cell.restarts })
    this.tellParent(cell, "lvlup.child.failed", { reason })
  }

  /** Tells a parent that accepts it how its child ended, so it need not wait for a timeout. */
  private tellParent(
    cell: ActorCell,
    type: keyof typeof childMessages,
    details: Record<string, unknown>,
  ): void {
    if (cell.parent === null || !this.cells.get(cell.parent)?.validators.has(type)) return
    const name = cell.address.slice(cell.parent.length + 1)
    try {
      this.tell(
        cell.parent,
        { type, payload: { address: cell.address, name, ...details } },
        { from: cell.address },
      )
    } catch (error) {
      this.deadLetter({ from: cell.address, to: cell.parent, type }, describeCause(error))
    }
  }

  private onDone(cell: ActorCell): void {
    const output = (cell.actor?.getSnapshot() as { output?: unknown } | undefined)?.output
    this.tellParent(cell, "lvlup.child.done", { output: output ?? null })
    this.stopCell(cell, "done")
    this.system("actor.done", { address: cell.address, output: output ?? null })
  }

  /**
   * Stops an actor and its children. `forget` (an operator's or parent's stop, a finished child) settles
   * its queued messages as dead letters and drops a child's snapshot; a system shutdown keeps both, so
   * the next start resumes where this one stopped.
   */
  private stopCell(cell: ActorCell, reason: string, forget = true): void {
    for (const child of [...cell.children]) {
      const childCell = this.cells.get(child)
      if (childCell !== undefined) this.stopCell(childCell, reason, forget)
    }
    cell.restartTimer?.cancel()
    cell.restartTimer = null
    const wasActive = cell.status !== "stopped"
    this.stopMachine(cell)
    cell.status = "stopped"
    if (forget || !cell.durable) this.rejectQueued(cell, "stopped")
    if (cell.parent !== null && forget) {
      // Children are transient addresses: once stopped, their address is free again.
      this.cells.delete(cell.address)
      this.cells.get(cell.parent)?.children.delete(cell.address)
      if (cell.durable) this.journal!.remove(cell.address)
    }
    if (wasActive) this.system("actor.stopped", { address: cell.address, reason })
  }

  private stopMachine(cell: ActorCell): void {
    this.unwatchTransitions(cell)
    const actor = cell.actor
    cell.actor = null
    actor?.stop()
  }

  /** Queued messages of an actor that stopped or failed: asks fail now, everything is a dead letter. */
  private rejectQueued(cell: ActorCell, status: ActorStatus): void {
    for (const envelope of cell.mailbox.drain()) this.refuse(cell, envelope, status)
  }

  /** A message its actor will never process: the asker is told, and it is settled as a dead letter. */
  private refuse(cell: ActorCell, envelope: Delivery, status: ActorStatus): void {
    this.failAsk(envelope, new ActorUnavailable({ address: cell.address, status }))
    this.deadLetter(envelope, `actor ${status}`)
    if (cell.durable) this.recordOutcome(cell, envelope, `dead-letter: actor ${status}`)
  }

  private failAsk(request: Envelope, error: AskError): void {
    const ask = this.pending.get(request.id)
    if (ask === undefined) return
    this.pending.delete(request.id)
    ask.timer.cancel()
    ask.reject(error)
  }

  private deadLetter(message: { from: string; to: string; type: string; id?: string }, reason: string): void {
    this.stats.deadLetters++
    this.log.warn("dead letter", { ...message, payload: undefined, reason })
    this.publish("system.dead-letters", {
      type: "message.undelivered",
      payload: { id: message.id ?? null, from: message.from, to: message.to, type: message.type, reason },
    })
  }

  private system(type: string, payload: Record<string, unknown>): void {
    this.publish("system.supervision", { type, payload }, { from: "system" })
  }

  private watchTransitions(cell: ActorCell): void {
    const actor = cell.actor
    if (actor === null || cell.inspection !== null) return
    cell.inspection = actor.system.inspect((event) => {
      if (event.type !== "@xstate.snapshot" || event.actorRef !== actor) return
      const snapshot = event.snapshot as AnyMachineSnapshot
      const state: unknown = snapshot.value
      const cause: string = event.event.type
      this.publish(
        "system.transitions",
        {
          type: "actor.transition",
          payload: { address: cell.address, state, status: snapshot.status, event: cause },
        },
        { from: cell.address },
      )
    })
  }

  private unwatchTransitions(cell: ActorCell): void {
    cell.inspection?.unsubscribe()
    cell.inspection = null
  }

  private info(cell: ActorCell): ActorInfo {
    const snapshot = cell.actor?.getSnapshot() as AnyMachineSnapshot | undefined
    return {
      address: cell.address,
      plugin: cell.hosted.plugin.name,
      kind: cell.kind,
      parent: cell.parent,
      state: snapshot?.value ?? cell.lastGood?.value ?? null,
      status: cell.status,
      mailboxDepth: cell.mailbox.size,
      mailboxCapacity: cell.mailbox.capacity,
      restarts: cell.restarts,
      processed: cell.processed,
      lastError: cell.lastError,
    }
  }
}
