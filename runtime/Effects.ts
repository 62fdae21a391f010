// Side effects of a machine are Effect programs run by the runtime: `fromEffect` turns a program into
// an XState actor logic to `invoke`. The program gets the runtime's services, is interrupted when the
// machine leaves the invoking state (the AbortSignal), and fails with its own typed error.
import { Cause, Effect, Exit } from "effect"
import type { Context } from "effect"
import { fromPromise } from "xstate"
import type { ActorSystem, PromiseActorLogic } from "xstate"

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any XState system, whatever its actors
type AnyActorSystem = ActorSystem<any>
import type { RuntimeServices } from "./Services.js"

/** Runs programs for one hosted actor; registered by the runtime per XState system it creates. */
export interface EffectHost {
  /** The services for a program started now (bound to the message being processed, if any). */
  readonly contextForNewProgram: () => Context.Context<RuntimeServices>
}

const hosts = new WeakMap<AnyActorSystem, EffectHost>()

export const registerEffectHost = (system: AnyActorSystem, host: EffectHost): void => {
  hosts.set(system, host)
}

export class NoEffectHost extends Error {
  constructor() {
    super("fromEffect logic must run inside an actor hosted by the Lvl_UP runtime (or its test helpers)")
  }
}

/** An invokable actor logic from an Effect program; its input is the invoke's `input`. */
export const fromEffect = <Output, Input = void, E = never>(
  program: (input: Input) => Effect.Effect<Output, E, RuntimeServices>,
): PromiseActorLogic<Output, Input> =>
  fromPromise<Output, Input>(async ({ input, system, signal }) => {
    const host = hosts.get(system)
    if (!host) throw new NoEffectHost()
    const context = host.contextForNewProgram()
    const exit = await Effect.runPromiseExit(Effect.provide(program(input), context), { signal })
    if (Exit.isSuccess(exit)) return exit.value
    // Reject with the program's own error (a tagged error), not Effect's FiberFailure wrapper.
    throw Cause.squash(exit.cause)
  })
