import type { StoredEvent } from './stored-event.js';

/**
 * A decider (Jérémie Chassaing's pattern): the whole behaviour of one aggregate as three pure parts, plus the
 * aggregate's event decoder. The command loop in libs/event-store decodes the stream with `decode`, folds it with
 * `evolve`, calls `decide`, and appends.
 */
export interface DomainEvent<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
}

export interface Decider<Command, Event extends DomainEvent, State> {
  readonly initialState: State;
  /** The aggregate's decoder (decodeUserEvent, ...): a stored event at its current schema version, null if not ours. */
  decode(stored: StoredEvent): Event | null;
  evolve(state: State, event: Event): State;
  /** Throws a ScimError when the command is refused; returns [] when there is nothing to record. */
  decide(command: Command, state: State): readonly Event[];
}

export function foldEvents<Event extends DomainEvent, State>(
  decider: Pick<Decider<unknown, Event, State>, 'initialState' | 'evolve'>,
  events: Iterable<Event>,
  from: State = decider.initialState,
): State {
  let state = from;
  for (const event of events) state = decider.evolve(state, event);
  return state;
}

/** Exhaustiveness check for switches over literal `type`s. */
export function assertNever(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
