// Guardian's messages: what it accepts (security scans of a workspace, reviews of proposal diffs, status)
// and what it publishes on its topic.
import { Schema } from "lvlup/sdk"

/** Asks for the actor's state and counters; every plugin accepts it. */
export const Status = Schema.Struct({})

/** Scan a workspace (a git repository path) for security problems. */
export const ScanRequest = Schema.Struct({ workspace: Schema.NonEmptyTrimmedString })

/** Review a proposal's diff: the first gate of a proposal's lifecycle. */
export const ReviewRequest = Schema.Struct({
  proposalId: Schema.NonEmptyTrimmedString,
  diff: Schema.NonEmptyString,
})

/** Published when a request is refused, so that a `tell` (which gets no reply) is not refused unseen. */
export const WorkRefused = Schema.Struct({
  messageType: Schema.String,
  area: Schema.String,
  issue: Schema.Int,
  reason: Schema.String,
})

export const accepts = {
  status: Status,
  "guardian.scan.request": ScanRequest,
  "guardian.review.request": ReviewRequest,
}

export const emits = {
  "guardian.work.refused": WorkRefused,
}
