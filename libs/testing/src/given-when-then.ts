import type { Decider, DomainEvent } from '#domain/decider.js';
import { foldEvents } from '#domain/decider.js';

/**
 * Decider tests read as given / when / then: given past events, when a command, then these new events
 * (or this error). Pure: no store involved.
 */
export function deciderSpec<Command, Event extends DomainEvent, State>(decider: Decider<Command, Event, State>) {
  return {
    given(events: readonly Event[]) {
      return {
        when(command: Command) {
          const decide = () => decider.decide(command, foldEvents(decider, events));
          return {
            then(expected: readonly Event[]) {
              expect(decide()).toEqual(expected);
            },
            thenThrows(expected: { status: number; scimType?: string; detail?: RegExp | string }) {
              let thrown: unknown;
              try {
                decide();
              } catch (error) {
                thrown = error;
              }
              expect(thrown).toMatchObject({ status: expected.status, ...(expected.scimType ? { scimType: expected.scimType } : {}) });
              if (expected.detail) expect((thrown as Error).message).toMatch(expected.detail);
            },
          };
        },
      };
    },
  };
}
