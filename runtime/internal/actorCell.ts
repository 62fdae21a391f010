// One hosted actor's state inside the system: its mailbox, its XState actor, and its supervision record.
import type { AnyActor, AnyMachineSnapshot, Subscription } from "xstate"
import type { Timer } from "../Clock.js"
import type { Envelope } from "../Envelope.js"
import { Mailbox } from "../Mailbox.js"
import type { ActorDefinition, ActorInput, Plugin } from "../Plugin.js"
import { defaultSupervision } from "../Supervision.js"
import type { SupervisorStrategy } from "../Supervision.js"
import type { Delivery } from "./delivery.js"
import { validatorsFor } from "./messageValidation.js"
import type { Validator } from "./messageValidation.js"

export type ActorStatus = "running" | "restarting" | "failed" | "stopped"

export interface HostedPlugin {
  readonly plugin: Plugin
  readonly config: unknown
  readonly path: string | null
}

export class ActorCell {
  /** Queued as the machine event itself, built once when the message is accepted. */
  readonly mailbox: Mailbox<Delivery>
  actor: AnyActor | null = null
  status: ActorStatus = "running"
  /** In the run queue already. */
  scheduled = false
  /** The envelope being delivered right now (for replies and causation of what the machine sends). */
  current: Envelope | null = null
  /** The last snapshot reached without a crash; XState snapshots are immutable, so keeping it is free. */
  lastGood: AnyMachineSnapshot | null = null
  restarts = 0
  recentRestarts: number[] = []
  processed = 0
  /** Journaled, not yet committed: counted against the mailbox bound. */
  reserved = 0
  /** Highest stream position handed out, and the last one processed (what a snapshot includes). */
  lastSeq = 0
  processedSeq = 0
  lastError: string | null = null
  restartTimer: Timer | null = null
  inspection: Subscription | null = null
  readonly children = new Set<string>()
  readonly validators: ReadonlyMap<string, Validator>
  readonly supervision: SupervisorStrategy

  constructor(
    readonly address: string,
    readonly hosted: HostedPlugin,
    readonly kind: string | null,
    readonly definition: ActorDefinition,
    readonly parent: string | null,
    readonly input: unknown,
    capacity: number,
    /** Journaled and snapshotted (the system has persistence and the definition is not transient). */
    readonly durable: boolean,
  ) {
    this.mailbox = new Mailbox(definition.mailboxCapacity ?? capacity)
    this.validators = validatorsFor(definition.accepts)
    this.supervision = definition.supervision ?? defaultSupervision
  }

  actorInput(): ActorInput {
    return {
      address: this.address,
      plugin: this.hosted.plugin.name,
      config: this.hosted.config,
      parent: this.parent,
      input: this.input,
    }
  }
}
