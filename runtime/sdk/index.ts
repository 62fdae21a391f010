// The plugin SDK: the one module a plugin imports ("lvlup/sdk"). It re-exports what a plugin needs from
// Effect and XState too, so a plugin dropped into plugins/ needs no dependencies of its own.
export { childMessages, definePlugin } from "../Plugin.js"
export type {
  ActorDefinition,
  ActorInput,
  CronSchedule,
  IntervalSchedule,
  MessageEvents,
  MessageSchemas,
  Plugin,
  PluginManifest,
  ScheduleDeclaration,
} from "../Plugin.js"
export type { MissedRunPolicy } from "../Schedule.js"
export { publish, reply, replyError, spawnChild, stopChild, tell } from "../Actions.js"
export type { ReplyFailure, RuntimeEmitted } from "../Actions.js"
export { fromEffect } from "../Effects.js"
export { ActorSelf, Bus } from "../Services.js"
export type { ActorSelfApi, BusApi, RuntimeServices } from "../Services.js"
export { Supervision } from "../Supervision.js"
export type { RestartStrategy, SupervisorStrategy } from "../Supervision.js"
export type { Envelope, Message } from "../Envelope.js"
export type { Migration } from "../persistence/Migrations.js"
export * as Errors from "../RuntimeError.js"
export { NotImplemented, notImplemented } from "../NotImplemented.js"
export {
  answerStatus,
  countHandled,
  refuseNotImplemented,
  stampSince,
  StatusRequest,
  WorkRefused,
} from "../AgentStatus.js"
export type { AgentCounters, PendingWork } from "../AgentStatus.js"
export { testPlugin } from "../Testing.js"
export type { PluginTestKit, Stub } from "../Testing.js"
export { ManualClock } from "../Clock.js"
export type { TopicEvent } from "../Topics.js"
export { RUNTIME_VERSION } from "../version.js"

export { Context, Duration, Effect, Either, Layer, Option, Schema } from "effect"
export { and, assign, emit, enqueueActions, fromCallback, fromPromise, not, or, setup } from "xstate"
