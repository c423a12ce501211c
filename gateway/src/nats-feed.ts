import type { Msg, Subscription } from "@nats-io/transport-node";
import { logger } from "@cinema/platform/logger";

export interface FeedOptions<T> {
  /** Values yielded before any message (e.g. the current state), in order. */
  first?: T[];
  /** Messages for which this is false are skipped. */
  filter?: (value: T) => boolean;
}

/**
 * The JSON payloads of a NATS core subscription as an async iterator, for a GraphQL `subscribe`
 * resolver. Not an async generator on purpose: a generator's `return()` waits behind a pending
 * `next()`, i.e. until the next message arrives (maybe never), so a client that leaves would leak
 * its NATS subscription. Here `return()` unsubscribes at once, which also ends a pending `next()`.
 */
export function natsFeed<T>(sub: Subscription, { first = [], filter }: FeedOptions<T> = {}): AsyncIterableIterator<T> {
  const messages = sub[Symbol.asyncIterator]();
  const queued = [...first];
  const done = (): IteratorResult<T> => ({ done: true, value: undefined });
  const close = () => {
    if (!sub.isClosed()) sub.unsubscribe();
  };
  return {
    async next(): Promise<IteratorResult<T>> {
      if (queued.length > 0) return { done: false, value: queued.shift()! };
      for (;;) {
        const m = await messages.next();
        if (m.done) return done();
        const value = decode<T>(m.value);
        if (value !== undefined && (!filter || filter(value))) return { done: false, value };
      }
    },
    async return(): Promise<IteratorResult<T>> {
      queued.length = 0;
      close();
      return done();
    },
    async throw(err?: unknown): Promise<IteratorResult<T>> {
      queued.length = 0;
      close();
      throw err;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

function decode<T>(msg: Msg): T | undefined {
  try {
    return msg.json<T>();
  } catch (err) {
    // One bad publisher must not end everyone's subscription: skip the message.
    logger.warn({ err, subject: msg.subject }, "undecodable live notification skipped");
    return undefined;
  }
}
