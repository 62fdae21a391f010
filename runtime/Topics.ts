// Topic subscriptions: exact names and `prefix*` patterns. Publishing with no subscriber costs a lookup.
export interface TopicEvent {
  readonly topic: string
  readonly id: string
  readonly type: string
  readonly payload: unknown
  readonly from: string
  readonly correlationId: string
  readonly causationId: string | null
  readonly at: number
}

export type TopicListener = (event: TopicEvent) => void

export class Topics {
  private readonly exact = new Map<string, Set<TopicListener>>()
  private readonly prefixed: Array<{ prefix: string; listener: TopicListener }> = []

  static matches(pattern: string, topic: string): boolean {
    return pattern.endsWith("*") ? topic.startsWith(pattern.slice(0, -1)) : pattern === topic
  }

  subscribe(pattern: string, listener: TopicListener): () => void {
    if (pattern.endsWith("*")) {
      const entry = { prefix: pattern.slice(0, -1), listener }
      this.prefixed.push(entry)
      return () => {
        const at = this.prefixed.indexOf(entry)
        if (at >= 0) this.prefixed.splice(at, 1)
      }
    }
    let set = this.exact.get(pattern)
    if (set === undefined) this.exact.set(pattern, (set = new Set()))
    set.add(listener)
    return () => {
      set.delete(listener)
      if (set.size === 0) this.exact.delete(pattern)
    }
  }

  /** Calls every matching listener; a listener that throws is reported and does not stop the others. */
  publish(event: TopicEvent, onListenerError: (error: unknown) => void): void {
    const listeners = this.exact.get(event.topic)
    if (listeners !== undefined)
      for (const listener of [...listeners]) {
        try {
          listener(event)
        } catch (error) {
          onListenerError(error)
        }
      }
    for (const { prefix, listener } of [...this.prefixed])
      if (event.topic.startsWith(prefix))
        try {
          listener(event)
        } catch (error) {
          onListenerError(error)
        }
  }
}
