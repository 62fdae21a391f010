// The greeter's side effects, as Effect programs the runtime runs for its machines (`invoke`). They
// reach other agents only through the Bus service and stop cleanly when their machine leaves the state.
import { ActorSelf, Bus, Effect, Schema, fromEffect } from "lvlup/sdk"
import { MailroomReceipt } from "./messages.js"

export interface Card {
  readonly to: string
  readonly text: string
  readonly mailroom: string
  readonly timeoutMs: number
}

/**
 * Asks the mailroom to deliver a card and succeeds with its receipt. Called back mid-way (the courier is
 * stopped, which interrupts this program), it tells the mailroom to recall the card, so a cancelled
 * delivery does not arrive anyway.
 */
export const deliverCard = fromEffect((card: Card) =>
  Effect.gen(function* () {
    const bus = yield* Bus
    const self = yield* ActorSelf
    const send = {
      type: "mailroom.card.send",
      payload: { to: card.to, text: card.text, courier: self.address },
    }
    const recall = { type: "mailroom.card.recall", payload: { courier: self.address } }
    const answer = yield* bus
      .ask(card.mailroom, send, { timeoutMs: card.timeoutMs })
      .pipe(Effect.onInterrupt(() => Effect.ignore(bus.tell(card.mailroom, recall))))
    const { receipt } = yield* Schema.decodeUnknown(MailroomReceipt)(answer)
    return receipt
  }),
)
