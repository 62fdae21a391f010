// Sandbox's messages: what it accepts (runs of untrusted code in isolation, stopping a run, status) and
// what it publishes on its topic.
import { Schema, StatusRequest, WorkRefused } from "lvlup/sdk"

/** Run a program in isolation; the program is data, never evaluated by the sandbox actor itself. */
export const RunRequest = Schema.Struct({
  language: Schema.Literal("javascript", "python", "shell"),
  source: Schema.NonEmptyString,
  /** Wall-clock limit for the run; the runner's own limit applies when absent. */
  timeoutSeconds: Schema.optional(Schema.Int.pipe(Schema.positive())),
})

/** Stop a run before it finishes. */
export const RunKill = Schema.Struct({ runId: Schema.NonEmptyTrimmedString })

export const accepts = {
  status: StatusRequest,
  "sandbox.run.request": RunRequest,
  "sandbox.run.kill": RunKill,
}

export const emits = {
  "sandbox.work.refused": WorkRefused,
}
