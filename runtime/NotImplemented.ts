// The honest answer of an agent whose work is not built yet: a typed error naming the area (and the
// issue) that will build it, never invented data.
import { Schema } from "effect"
import type { ReplyFailure } from "./Actions.js"

export class NotImplemented extends Schema.TaggedError<NotImplemented>()("NotImplemented", {
  area: Schema.String,
  issue: Schema.Number,
}) {
  override get message() {
    return `${this.area} is not implemented yet (issue #${this.issue})`
  }
}

/** The reply failure for `replyError`: code `NotImplemented`, with the area and issue as details. */
export const notImplemented = (
  area: string,
  issue: number,
): ReplyFailure & { readonly details: { readonly area: string; readonly issue: number } } => ({
  code: "NotImplemented",
  message: new NotImplemented({ area, issue }).message,
  details: { area, issue },
})
