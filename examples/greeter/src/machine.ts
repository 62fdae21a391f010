// The greeter's machines: the root actor (greets, counts, sends couriers) and the courier child that
// carries one card. Pure XState: they only declare what to send; the runtime does the sending.
import {
  Errors,
  Schema,
  assign,
  publish,
  reply,
  replyError,
  setup,
  spawnChild,
  stopChild,
  tell,
} from "lvlup/sdk"
import type { ActorInput, Envelope, MessageEvents } from "lvlup/sdk"
import { deliverCard } from "./actors.js"
import type { GreeterConfig } from "./config.js"
import type { accepts, courierAccepts } from "./messages.js"

export const greetingFor = (config: GreeterConfig, name: string): string => `${config.salutation}, ${name}!`

interface GreeterContext {
  readonly config: GreeterConfig
  readonly address: string
  readonly greeted: number
  readonly deliveries: number
  /** The delivery request being worked on, kept so it can be answered when the courier reports back. */
  readonly pending?: Envelope<{ readonly name: string }>
}

/** The child name of the courier carrying the latest card: `greeter/courier-3` is the third. */
const courierOf = (context: GreeterContext): string => `courier-${context.deliveries}`

export const greeterMachine = setup({
  types: {
    context: {} as GreeterContext,
    events: {} as MessageEvents<typeof accepts>,
    input: {} as ActorInput<GreeterConfig>,
  },
  actions: {
    countGreeting: assign({ greeted: ({ context }) => context.greeted + 1 }),
    clearDelivery: assign({ pending: undefined }),
  },
  guards: {
    // Anyone may send these types to our address; only the courier we sent is believed.
    fromOurCourier: ({ context, event }) =>
      event.envelope.from === `${context.address}/${courierOf(context)}`,
  },
}).createMachine({
  id: "greeter",
  context: ({ input }) => ({
    config: input.config,
    address: input.address,
    greeted: 0,
    deliveries: 0,
  }),
  initial: "ready",
  on: {
    "greeter.greet": {
      actions: [
        "countGreeting",
        reply(({ context, event }) => ({
          greeting: greetingFor(context.config, event.payload.name),
          count: context.greeted,
        })),
        publish("greeter.greeting.sent", ({ context, event }) => ({
          name: event.payload.name,
          greeting: greetingFor(context.config, event.payload.name),
          count: context.greeted,
        })),
      ],
    },
    status: {
      actions: reply(({ context }) => ({
        greeted: context.greeted,
        deliveries: context.deliveries,
        courier: context.pending ? courierOf(context) : null,
      })),
    },
  },
  states: {
    ready: {
      on: {
        "greeter.delivery.request": {
          target: "delivering",
          actions: [
            assign({
              deliveries: ({ context }) => context.deliveries + 1,
              pending: ({ event }) => event.envelope,
            }),
            spawnChild(
              "courier",
              ({ context }) => courierOf(context),
              ({ context, event }) => ({
                to: event.payload.name,
                text: greetingFor(context.config, event.payload.name),
              }),
            ),
          ],
        },
        "greeter.delivery.cancel": {
          actions: replyError({ code: "GREETER_NOTHING_TO_CANCEL", message: "no courier is out" }),
        },
      },
    },
    delivering: {
      on: {
        "greeter.delivery.request": {
          actions: replyError(({ context }) => ({
            code: "GREETER_BUSY",
            message: `${courierOf(context)} is still out; ask again when it is back`,
          })),
        },
        "greeter.delivery.done": {
          guard: "fromOurCourier",
          target: "ready",
          actions: [
            reply(({ event }) => ({ receipt: event.payload.receipt }), {
              inReplyTo: ({ context }) => context.pending,
            }),
            publish("greeter.greeting.delivered", ({ context, event }) => ({
              name: context.pending?.payload.name,
              receipt: event.payload.receipt,
            })),
            "clearDelivery",
          ],
        },
        "greeter.delivery.failed": {
          guard: "fromOurCourier",
          target: "ready",
          actions: [
            replyError(({ event }) => ({ code: "GREETER_DELIVERY_FAILED", message: event.payload.reason }), {
              inReplyTo: ({ context }) => context.pending,
            }),
            "clearDelivery",
          ],
        },
        "greeter.delivery.cancel": {
          target: "ready",
          actions: [
            stopChild(({ context }) => courierOf(context)),
            replyError(
              { code: "GREETER_DELIVERY_CANCELLED", message: "the courier was called back" },
              {
                inReplyTo: ({ context }) => context.pending,
              },
            ),
            reply(({ context }) => ({ cancelled: courierOf(context) })),
            "clearDelivery",
          ],
        },
      },
    },
  },
})

/** What the greeter hands a courier when it spawns one. */
const CourierInput = Schema.Struct({ to: Schema.String, text: Schema.String })

interface CourierContext {
  readonly parent: string
  readonly card: typeof CourierInput.Type
  readonly config: GreeterConfig
}

export const courierMachine = setup({
  types: {
    context: {} as CourierContext,
    events: {} as MessageEvents<typeof courierAccepts>,
    input: {} as ActorInput<GreeterConfig>,
  },
  actors: { deliverCard },
}).createMachine({
  id: "courier",
  context: ({ input }) => ({
    parent: input.parent ?? input.plugin,
    // The spawn input is plain data from the parent; decoding it makes a mismatch fail loudly at start.
    card: Schema.decodeUnknownSync(CourierInput)(input.input),
    config: input.config,
  }),
  initial: "delivering",
  on: {
    status: { actions: reply(({ context }) => ({ to: context.card.to, parent: context.parent })) },
  },
  states: {
    delivering: {
      invoke: {
        src: "deliverCard",
        input: ({ context }) => ({
          ...context.card,
          mailroom: context.config.mailroom,
          timeoutMs: context.config.deliveryTimeoutMs,
        }),
        onDone: {
          target: "done",
          actions: tell(
            ({ context }) => context.parent,
            ({ event }) => ({ type: "greeter.delivery.done", payload: { receipt: event.output } }),
          ),
        },
        onError: {
          target: "done",
          actions: tell(
            ({ context }) => context.parent,
            ({ event }) => ({
              type: "greeter.delivery.failed",
              payload: { reason: Errors.describeCause(event.error) },
            }),
          ),
        },
      },
    },
    // Final: the runtime stops the courier and frees its address.
    done: { type: "final" },
  },
})
