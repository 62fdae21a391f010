// The runtime's public API for hosts (the gateway, embedders, benchmarks): the actor system, plugin
// loading and boot, configuration and errors. Plugins use "lvlup/sdk" instead.
export { ActorSystem } from "./ActorSystem.js"
export type {
  ActorInfo,
  ActorStatus,
  ActorSystemOptions,
  PluginInfo,
  ShutdownReport,
  SystemStats,
} from "./ActorSystem.js"
export { boot, migrationSetsOf } from "./Boot.js"
export type { BootOptions, BootReport } from "./Boot.js"
export { discoverPluginDirs, loadPlugin, loadPlugins, pluginConfigVariable } from "./PluginLoader.js"
export type { LoadedPlugin, LoadReport } from "./PluginLoader.js"
export { RuntimeConfig, readRuntimeConfig } from "./RuntimeConfig.js"
export { SCHEDULER_ADDRESS, Scheduler } from "./Scheduler.js"
export type { ScheduleStore, SchedulerOptions, SchedulerStats } from "./Scheduler.js"
export { resolveSchedules } from "./Schedule.js"
export type { MissedRunPolicy, ResolvedSchedule } from "./Schedule.js"
export { makeLog, silentLog } from "./Log.js"
export type { Log, LogLevel } from "./Log.js"
export { ManualClock, systemClock } from "./Clock.js"
export type { Clock, Timer } from "./Clock.js"
export { EXTERNAL } from "./Envelope.js"
export type { Envelope, Message, SendContext } from "./Envelope.js"
export type { TopicEvent, TopicListener } from "./Topics.js"
export * from "./RuntimeError.js"
export { RUNTIME_VERSION } from "./version.js"
export type { CommitBatch, JournalEntry, Persistence, Recovered, SnapshotRecord } from "./Persistence.js"
export { openStorage } from "./persistence/Storage.js"
export type { Storage, StorageError } from "./persistence/Storage.js"
