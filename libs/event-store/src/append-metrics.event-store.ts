import { performance } from 'node:perf_hooks';
import type { AppendMetrics } from '#observability/metrics.recorders.js';
import { VersionConflictError } from './event-store.errors.js';
import type { AppendResult, EventStore, StreamAppend, StreamCondition } from './event-store.port.js';

/**
 * The store with the latency of every append measured (scim_event_store_append_duration_seconds): one wrapper
 * for every adapter, so the figures of PostgreSQL, PGlite and EventStoreDB mean the same thing (the port's call,
 * retries inside the adapter included). Every other method is the store's own, bound once.
 */
export function withAppendMetrics(store: EventStore, metrics: AppendMetrics): EventStore {
  const observe = <T>(started: number, appended: Promise<T>): Promise<T> =>
    appended.then(
      (result) => {
        metrics.appended((performance.now() - started) / 1000, 'ok');
        return result;
      },
      (error: unknown) => {
        metrics.appended((performance.now() - started) / 1000, error instanceof VersionConflictError ? 'conflict' : 'error');
        throw error;
      },
    );
  const appendToStream = (append: StreamAppend): Promise<AppendResult> => observe(performance.now(), store.appendToStream(append));
  const appendToStreams = (appends: readonly StreamAppend[], conditions?: readonly StreamCondition[]): Promise<AppendResult[]> =>
    observe(performance.now(), store.appendToStreams(appends, conditions));
  const methods = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, property) {
      if (property === 'appendToStream') return appendToStream;
      if (property === 'appendToStreams') return appendToStreams;
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (!methods.has(property)) methods.set(property, (value as (...args: unknown[]) => unknown).bind(target));
      return methods.get(property);
    },
  });
}
