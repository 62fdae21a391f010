// Test helpers for plugin authors: host a plugin in-process (no gateway, no database), send it messages,
// read its replies and published events, and stand in for the agents it talks to with stubs.
import { Schema } from "effect"
import { setup } from "xstate"
import { reply } from "./Actions.js"
import { ActorSystem } from "./ActorSystem.js"
import type { ActorInfo, ActorSystemOptions } from "./ActorSystem.js"
import type { Envelope, Message } from "./Envelope.js"
import { definePlugin } from "./Plugin.js"
import type { MessageEvents, Plugin } from "./Plugin.js"
import type { TopicEvent } from "./Topics.js"

export interface PluginTestKit {
  /** The system under test (the same class production runs). */
  readonly system: ActorSystem
  readonly tell: (to: string, message: Message) => Envelope
  readonly ask: (to: string, message: Message, options?: { readonly timeoutMs?: number }) => Promise<unknown>
  /** Every event published on any topic since the kit started, oldest first. */
  readonly events: ReadonlyArray<TopicEvent>
  /**
   * Warnings and errors the runtime logged (a refused publish, a dead letter, a crash), so a test can
   * assert there were none instead of missing them.
   */
  readonly problems: ReadonlyArray<{
    readonly level: "warn" | "error"
    readonly message: string
    readonly fields: unknown
  }>
  /** Messages each stub received, by stub address. */
  readonly received: ReadonlyMap<string, ReadonlyArray<Envelope>>
  /** Resolves when every mailbox is empty. */
  readonly settle: () => Promise<void>
  readonly actor: (address: string) => ActorInfo | undefined
  /** The actor's current state value and context. */
  readonly state: (address: string) => { readonly value: unknown; readonly context: unknown } | undefined
  readonly close: () => Promise<void>
}

/** A stand-in for another agent: for each message type it accepts, the reply it gives (or undefined). */
export type Stub = { readonly [type: string]: (payload: unknown, envelope: Envelope) => unknown }

const stubPlugin = (name: string, handlers: Stub, received: Envelope[]): Plugin => {
  const accepts = Object.fromEntries(Object.keys(handlers).map((type) => [type, Schema.Unknown]))
  const machine = setup({ types: { events: {} as MessageEvents<typeof accepts> } }).createMachine({
    on: {
      "*": {
        actions: [
          ({ event }) => void received.push(event.envelope),
          reply(({ event }) => handlers[event.type]?.(event.payload, event.envelope)),
        ],
      },
    },
  })
  return definePlugin({ name, version: "0.0.0-stub", machine, accepts })
}

export const testPlugin = (
  plugin: Plugin,
  options: ActorSystemOptions & {
    readonly config?: unknown
    /** Other plugins to host beside it. */
    readonly with?: ReadonlyArray<Plugin>
    readonly stubs?: { readonly [address: string]: Stub }
  } = {},
): PluginTestKit => {
  const problems: Array<{ level: "warn" | "error"; message: string; fields: unknown }> = []
  const record = (level: "warn" | "error") => (message: string, fields?: Record<string, unknown>) =>
    void problems.push({ level, message, fields })
  const system = new ActorSystem({
    ...options,
    log: options.log ?? { debug: () => {}, info: () => {}, warn: record("warn"), error: record("error") },
  })
  const events: TopicEvent[] = []
  system.subscribe("*", (event) => void events.push(event))
  const received = new Map<string, Envelope[]>()
  for (const [address, handlers] of Object.entries(options.stubs ?? {})) {
    const log: Envelope[] = []
    received.set(address, log)
    system.host(stubPlugin(address, handlers, log))
  }
  for (const other of options.with ?? []) system.host(other)
  system.host(plugin, { config: options.config })
  return {
    system,
    tell: (to, message) => system.tell(to, message),
    ask: (to, message, askOptions) => system.ask(to, message, askOptions),
    events,
    problems,
    received,
    settle: async () => {
      await system.idle()
    },
    actor: (address) => system.actor(address),
    state: (address) => {
      const snapshot = system.snapshot(address)
      return snapshot && { value: snapshot.value, context: snapshot.context }
    },
    close: async () => {
      await system.shutdown({ timeoutMs: 5000 })
    },
  }
}
