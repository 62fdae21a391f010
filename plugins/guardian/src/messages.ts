// Guardian's messages: what it accepts (security scans of a workspace, reviews of proposal diffs, status)
// and what it publishes on its topic.
import { Schema, StatusRequest, WorkRefused } from "lvlup/sdk"

/** Scan a workspace (a git repository path) for security problems. */
export const ScanRequest = Schema.Struct({ workspace: Schema.NonEmptyTrimmedString })

/** Review a proposal's diff: the first gate of a proposal's lifecycle. */
export const ReviewRequest = Schema.Struct({
  proposalId: Schema.NonEmptyTrimmedString,
  diff: Schema.NonEmptyString,
})

export const accepts = {
  status: StatusRequest,
  "guardian.scan.request": ScanRequest,
  "guardian.review.request": ReviewRequest,
}

export const emits = {
  "guardian.work.refused": WorkRefused,
}
