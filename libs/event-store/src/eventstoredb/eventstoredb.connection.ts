import type {
  AllStreamResolvedEvent,
  AppendResult,
  AppendToStreamOptions,
  EventData,
  ReadAllOptions,
  ReadStreamOptions,
  ResolvedEvent,
  SubscribeToAllOptions,
} from '@eventstore/db-client';

/**
 * The part of @eventstore/db-client's EventStoreDBClient the adapter uses, so tests can stand an in-memory
 * server behind it (eventstoredb-fake.test-support.ts). EventStoreDBClient satisfies it as it is.
 */
export interface EventStoreDbConnection {
  appendToStream(streamName: string, events: EventData[], options?: AppendToStreamOptions): Promise<AppendResult>;
  readStream(streamName: string, options?: ReadStreamOptions): VendorRead<ResolvedEvent>;
  readAll(options?: ReadAllOptions): VendorRead<AllStreamResolvedEvent>;
  subscribeToAll(options?: SubscribeToAllOptions): VendorSubscription;
  dispose(): Promise<void>;
}

/** A finite read: events, then 'end' (or 'error'), then 'close'; cancel() abandons it. */
export interface VendorRead<E> {
  on(event: 'data', listener: (item: E) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  cancel(): Promise<void>;
}

/** A catch-up then live subscription: events until unsubscribe(), 'error' or the connection's end. */
export interface VendorSubscription {
  on(event: 'data', listener: (item: AllStreamResolvedEvent) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  unsubscribe(): Promise<void>;
}
