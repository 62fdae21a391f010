// The greeter's messages: what it accepts (commands and its courier's reports) and what it publishes.
// Every payload is an Effect Schema, so the runtime refuses a malformed message before the machine sees it.
import { Schema } from "lvlup/sdk"

/** A person's name as the greeter accepts it: trimmed, not empty, short enough for a card. */
export const Name = Schema.Trim.pipe(Schema.minLength(1), Schema.maxLength(64))

export const accepts = {
  /** Greet someone now; the answer is the greeting and how many greetings came before it. */
  "greeter.greet": Schema.Struct({ name: Name }),
  /** Have a courier take a greeting card to someone through the mailroom; the answer is the receipt. */
  "greeter.delivery.request": Schema.Struct({ name: Name }),
  /** Call back the courier on its way; the pending request is answered with an error. */
  "greeter.delivery.cancel": Schema.Struct({}),
  /** Sent by the greeter's own courier when the mailroom took the card. */
  "greeter.delivery.done": Schema.Struct({ receipt: Schema.String }),
  /** Sent by the greeter's own courier when the mailroom could not be reached or refused the card. */
  "greeter.delivery.failed": Schema.Struct({ reason: Schema.String }),
  /** What the greeter is doing and how many greetings it has sent. */
  status: Schema.Struct({}),
}

/** A courier is started with its card and reports to its parent; it only answers `status`. */
export const courierAccepts = {
  status: Schema.Struct({}),
}

export const emits = {
  "greeter.greeting.sent": Schema.Struct({
    name: Schema.String,
    greeting: Schema.String,
    count: Schema.Number,
  }),
  "greeter.greeting.delivered": Schema.Struct({ name: Schema.String, receipt: Schema.String }),
}

/** What the mailroom (another agent, reached by address only) answers when it takes a card. */
export const MailroomReceipt = Schema.Struct({ receipt: Schema.String })
