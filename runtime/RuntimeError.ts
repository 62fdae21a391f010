// Every error the runtime reports, as tagged classes: callers match on `_tag`, the gateway maps each
// tag to an HTTP status and a machine-readable code, and each carries the address or name it is about.
import { Schema } from "effect"

export class UnknownAddress extends Schema.TaggedError<UnknownAddress>()("UnknownAddress", {
  address: Schema.String,
}) {
  override get message() {
    return `no actor at address "${this.address}"`
  }
}

export class MailboxFull extends Schema.TaggedError<MailboxFull>()("MailboxFull", {
  address: Schema.String,
  capacity: Schema.Number,
}) {
  override get message() {
    return `mailbox of "${this.address}" is full (capacity ${this.capacity})`
  }
}

export class InvalidMessage extends Schema.TaggedError<InvalidMessage>()("InvalidMessage", {
  address: Schema.String,
  messageType: Schema.String,
  reason: Schema.String,
}) {
  override get message() {
    return `"${this.address}" refused message "${this.messageType}": ${this.reason}`
  }
}

export class AskTimeout extends Schema.TaggedError<AskTimeout>()("AskTimeout", {
  address: Schema.String,
  messageType: Schema.String,
  timeoutMs: Schema.Number,
}) {
  override get message() {
    return `no reply from "${this.address}" to "${this.messageType}" within ${this.timeoutMs} ms`
  }
}

/** The receiver is not accepting messages: it was stopped, or escalated to `failed`. */
export class ActorUnavailable extends Schema.TaggedError<ActorUnavailable>()("ActorUnavailable", {
  address: Schema.String,
  status: Schema.String,
}) {
  override get message() {
    return `actor "${this.address}" is ${this.status}`
  }
}

/** The receiver crashed while processing the message (the asker learns it at once, not at the timeout). */
export class ActorCrashed extends Schema.TaggedError<ActorCrashed>()("ActorCrashed", {
  address: Schema.String,
  messageType: Schema.String,
  reason: Schema.String,
}) {
  override get message() {
    return `actor "${this.address}" crashed while processing "${this.messageType}": ${this.reason}`
  }
}

/** The receiver answered an ask with an error (e.g. `NotImplemented`). */
export class ReplyError extends Schema.TaggedError<ReplyError>()("ReplyError", {
  address: Schema.String,
  code: Schema.String,
  reason: Schema.String,
  details: Schema.optional(Schema.Unknown),
}) {
  override get message() {
    return `"${this.address}" answered ${this.code}: ${this.reason}`
  }
}

export class ShuttingDown extends Schema.TaggedError<ShuttingDown>()("ShuttingDown", {}) {
  override get message() {
    return "the actor system is shutting down and accepts no new messages"
  }
}

export class AddressTaken extends Schema.TaggedError<AddressTaken>()("AddressTaken", {
  address: Schema.String,
}) {
  override get message() {
    return `address "${this.address}" is already in use`
  }
}

export const PluginErrorCode = Schema.Literal(
  "PLUGIN_NOT_FOUND",
  "PLUGIN_BAD_PACKAGE",
  "PLUGIN_NO_ENTRY",
  "PLUGIN_IMPORT_FAILED",
  "PLUGIN_LOAD_TIMEOUT",
  "PLUGIN_BAD_MANIFEST",
  "PLUGIN_DUPLICATE_NAME",
  "PLUGIN_INCOMPATIBLE_RUNTIME",
  "PLUGIN_BAD_CONFIG",
  "PLUGIN_START_FAILED",
)
export type PluginErrorCode = typeof PluginErrorCode.Type

/** A plugin that could not be loaded; the others load regardless. */
export class PluginLoadError extends Schema.TaggedError<PluginLoadError>()("PluginLoadError", {
  code: PluginErrorCode,
  plugin: Schema.String,
  path: Schema.String,
  reason: Schema.String,
}) {
  override get message() {
    return `plugin "${this.plugin}" (${this.path}) not loaded [${this.code}]: ${this.reason}`
  }
}

/** An environment variable that overrides a schedule's interval holds a wrong value: the start stops. */
export class InvalidScheduleVariable extends Schema.TaggedError<InvalidScheduleVariable>()(
  "InvalidScheduleVariable",
  {
    variable: Schema.String,
    value: Schema.String,
    plugin: Schema.String,
    schedule: Schema.String,
    reason: Schema.String,
  },
) {
  override get message() {
    return (
      `${this.variable}=${JSON.stringify(this.value)} is not a valid interval for schedule ` +
      `"${this.plugin}/${this.schedule}": ${this.reason}`
    )
  }
}

export type DeliveryError = UnknownAddress | MailboxFull | InvalidMessage | ActorUnavailable | ShuttingDown
export type AskError = DeliveryError | AskTimeout | ActorCrashed | ReplyError

/** Short text for a foreign failure (a thrown value of any kind). */
export const describeCause = (cause: unknown): string =>
  cause instanceof Error ? cause.message : typeof cause === "string" ? cause : JSON.stringify(cause)
