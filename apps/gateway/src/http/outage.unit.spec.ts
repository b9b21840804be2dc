import { EventStoreUnavailableError } from '#event-store/event-store.errors.js';
import { outageError } from './outage.js';

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

describe('outageError: what is answered 503 (with Retry-After) rather than 500', () => {
  it.each<[string, unknown]>([
    ['a refused connection (the server is down)', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['a reset connection', withCode('ECONNRESET')],
    ['the embedded socket gone', withCode('ENOENT')],
    ['a terminated backend (57P01 admin_shutdown)', withCode('57P01')],
    ['a connection failure (08006)', withCode('08006')],
    ['too many connections (53300)', withCode('53300')],
    ['a statement timeout (57014)', withCode('57014', 'canceling statement due to statement timeout')],
    ["the pool's connect timeout", new Error('timeout exceeded when trying to connect')],
    ['a connection ended under a query', new Error('Connection terminated unexpectedly')],
    ['the event store', new EventStoreUnavailableError('event store unavailable during append')],
    ['a driver error wrapped as a cause', new Error('projection failed', { cause: withCode('ECONNREFUSED') })],
  ])('%s', (_case, error) => {
    const scimError = outageError(error);
    expect(scimError?.status).toBe(503);
    expect(scimError?.detail).toMatch(/retry later$/);
  });

  it.each<[string, unknown]>([
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['a unique violation (23505)', withCode('23505')],
    ['a syntax error in our SQL (42601)', withCode('42601')],
    ['nothing', undefined],
  ])('not %s', (_case, error) => {
    expect(outageError(error)).toBeUndefined();
  });
});
