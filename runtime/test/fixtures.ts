// Small plugins the runtime's own tests host: a counter that replies and publishes, a recorder that keeps
// what it received (per sender), a relay that forwards on behalf of a message, and a crasher.
import {
  assign,
  Bus,
  childMessages,
  definePlugin,
  Effect,
  fromEffect,
  publish,
  reply,
  Schema,
  setup,
  spawnChild,
  Supervision,
  tell,
  type ActorInput,
  type MessageEvents,
} from "../sdk/index.js"
import type { SupervisorStrategy } from "../Supervision.js"

const counterAccepts = {
  inc: Schema.Struct({ by: Schema.optionalWith(Schema.Number, { default: () => 1 }) }),
  get: Schema.Struct({}),
  slow: Schema.Struct({ ms: Schema.Number }),
}

export const counterPlugin = (name = "counter", mailboxCapacity?: number) =>
  definePlugin({
    name,
    version: "1.0.0",
    mailboxCapacity,
    accepts: counterAccepts,
    emits: { "counter.changed": Schema.Struct({ count: Schema.Number }) },
    machine: setup({
      types: { context: {} as { count: number }, events: {} as MessageEvents<typeof counterAccepts> },
    }).createMachine({
      context: { count: 0 },
      on: {
        inc: {
          actions: [
            assign({ count: ({ context, event }) => context.count + event.payload.by }),
            publish("counter.changed", ({ context }) => ({ count: context.count })),
          ],
        },
        get: { actions: reply(({ context }) => ({ count: context.count })) },
        slow: {
          actions: ({ event }) => {
            const until = Date.now() + event.payload.ms
            while (Date.now() < until) {
              /* holds the actor busy, as heavy synchronous work would */
            }
          },
        },
      },
    }),
  })

const recorderAccepts = { record: Schema.Struct({ seq: Schema.Number }), dump: Schema.Struct({}) }

/** Keeps each received message's sender, seq and causation; `dump` replies with all of it. */
export const recorderPlugin = (name = "recorder") =>
  definePlugin({
    name,
    version: "1.0.0",
    accepts: recorderAccepts,
    mailboxCapacity: 100_000,
    machine: setup({
      types: {
        context: {} as {
          got: Array<{ from: string; seq: number; causationId: string | null; correlationId: string }>
        },
        events: {} as MessageEvents<typeof recorderAccepts>,
      },
    }).createMachine({
      context: { got: [] },
      on: {
        record: {
          actions: assign({
            got: ({ context, event }) => [
              ...context.got,
              {
                from: event.envelope.from,
                seq: event.payload.seq,
                causationId: event.envelope.causationId,
                correlationId: event.envelope.correlationId,
              },
            ],
          }),
        },
        dump: { actions: reply(({ context }) => context.got) },
      },
    }),
  })

const relayAccepts = {
  forward: Schema.Struct({ to: Schema.String, seq: Schema.Number }),
  "relay.ask-through": Schema.Struct({ to: Schema.String }),
  "relay.spawn": Schema.Struct({ name: Schema.String }),
}

/** Forwards `record` messages to another address (so causation and correlation can be traced). */
export const relayPlugin = (name = "relay") =>
  definePlugin({
    name,
    version: "1.0.0",
    accepts: relayAccepts,
    mailboxCapacity: 100_000,
    children: { worker: counterPlugin("worker") },
    machine: setup({
      types: {
        context: {} as { pending: unknown },
        events: {} as
          MessageEvents<typeof relayAccepts> | { type: "xstate.done.actor.through"; output: unknown },
      },
      actors: {
        through: fromEffect((input: { to: string }) =>
          Effect.gen(function* () {
            const bus = yield* Bus
            return yield* bus.ask(input.to, { type: "get" })
          }),
        ),
      },
    }).createMachine({
      context: { pending: null },
      initial: "ready",
      states: {
        ready: {
          on: {
            forward: {
              actions: tell(
                ({ event }) => event.payload.to,
                ({ event }) => ({ type: "record", payload: { seq: event.payload.seq } }),
              ),
            },
            "relay.spawn": { actions: spawnChild("worker", ({ event }) => event.payload.name) },
            "relay.ask-through": {
              target: "asking",
              actions: assign({ pending: ({ event }) => event.envelope }),
            },
          },
        },
        asking: {
          invoke: {
            src: "through",
            input: ({ event }) => ({ to: (event as { payload: { to: string } }).payload.to }),
            onDone: {
              target: "ready",
              actions: reply(({ event }) => ({ via: "relay", got: (event as { output: unknown }).output }), {
                inReplyTo: ({ context }) => context.pending as never,
              }),
            },
          },
        },
      },
    }),
  })

const crasherAccepts = {
  ping: Schema.Struct({}),
  crash: Schema.Struct({}),
  "crash-async": Schema.Struct({}),
  remember: Schema.Struct({ value: Schema.String }),
}

/** Crashes on demand: synchronously in an action, or through a failing invoked Effect program. */
export const crasherPlugin = (name: string, supervision?: SupervisorStrategy) =>
  definePlugin({
    name,
    version: "1.0.0",
    accepts: crasherAccepts,
    supervision,
    machine: setup({
      types: {
        context: {} as { remembered: string[]; bootedWith: string },
        events: {} as MessageEvents<typeof crasherAccepts>,
        input: {} as ActorInput,
      },
      actors: { failing: fromEffect(() => Effect.fail(new Error("async failure"))) },
    }).createMachine({
      context: ({ input }) => ({ remembered: [], bootedWith: input.address }),
      initial: "up",
      states: {
        up: {
          on: {
            "crash-async": "failingWork",
          },
        },
        failingWork: { invoke: { src: "failing" } },
      },
      on: {
        ping: { actions: reply(({ context }) => ({ pong: true, remembered: context.remembered })) },
        remember: {
          actions: assign({
            remembered: ({ context, event }) => [...context.remembered, event.payload.value],
          }),
        },
        crash: {
          actions: () => {
            throw new Error("boom")
          },
        },
      },
    }),
  })

const doorAccepts = {
  open: Schema.Struct({}),
  close: Schema.Struct({}),
  where: Schema.Struct({}),
  "door.spawn-fragile": Schema.Struct({ name: Schema.String }),
  ...childMessages,
}

/** States that handle different messages, a timed auto-close, and a child that is told to crash. */
export const doorPlugin = () =>
  definePlugin({
    name: "door",
    version: "1.0.0",
    accepts: doorAccepts,
    children: { fragile: crasherPlugin("fragile", Supervision.stop()) },
    machine: setup({
      types: {
        context: {} as { childReports: unknown[] },
        events: {} as MessageEvents<typeof doorAccepts>,
      },
    }).createMachine({
      context: { childReports: [] },
      initial: "closed",
      states: {
        closed: { on: { open: { target: "open", actions: reply(() => ({ opened: true })) } } },
        open: {
          after: { 1000: "closed" },
          on: { close: { target: "closed", actions: reply(() => ({ closed: true })) } },
        },
      },
      on: {
        where: {
          actions: reply(({ context, self }) => ({
            state: self.getSnapshot().value,
            reports: context.childReports,
          })),
        },
        "door.spawn-fragile": { actions: spawnChild("fragile", ({ event }) => event.payload.name) },
        "lvlup.child.failed": {
          actions: assign({ childReports: ({ context, event }) => [...context.childReports, event.payload] }),
        },
      },
    }),
  })
