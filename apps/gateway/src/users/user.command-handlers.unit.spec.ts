import { describe, expect, it, jest } from '@jest/globals';
import * as engine from '#scim/patch/patch.engine.js';

// The PATCH engine, counted: the real one behind a mock function. The modules that apply it are imported after
// this, so they get the counted one.
const applyPatch = jest.fn(engine.applyPatch);
jest.unstable_mockModule('#scim/patch/patch.engine.js', () => ({ ...engine, applyPatch }));

const { CreateUserHandler, UpdateUserHandler } = await import('./user.command-handlers.js');
const { CreateUserCommand, UpdateUserCommand } = await import('./user.commands.js');
const { CommandRunner } = await import('../commands/command.runner.js');
const { StagingEventStore } = await import('#event-store/staging.event-store.js');
const { VersionConflictError } = await import('#event-store/event-store.errors.js');
const { StreamStateCache } = await import('#event-store/stream-state.cache.js');
const { StreamTurns } = await import('#event-store/stream-turns.js');
const { ScimMetrics } = await import('#observability/metrics.js');
const { SchemaRegistry } = await import('#scim/schema/schema.registry.js');
type EventStore = import('#event-store/event-store.port.js').EventStore;
type StreamAppend = import('#event-store/event-store.port.js').StreamAppend;
type StreamCondition = import('#event-store/event-store.port.js').StreamCondition;
type ScimCallContext = import('../http/request-context.js').ScimCallContext;
type ReadModelProgress = import('../projections/read-model.progress.js').ReadModelProgress;
type SchemaRegistries = import('../schemas/schema-registries.js').SchemaRegistries;

const TENANT = 'acme';
const USER_ID = '2819c223-7f76-453a-919d-413861904646';

/** An in-memory store (a staging store over an empty one) that can refuse the next append with a version conflict. */
class RacingStore extends StagingEventStore {
  conflictsToRaise = 0;

  override async appendToStreams(appends: readonly StreamAppend[], conditions?: readonly StreamCondition[]) {
    if (this.conflictsToRaise > 0) {
      this.conflictsToRaise -= 1;
      throw new VersionConflictError(appends[0].streamName, 'expected', 'moved on');
    }
    return super.appendToStreams(appends, conditions);
  }
}

function writer() {
  const empty = { readStream: async () => [], readAll: async () => [] } as unknown as EventStore;
  const store = new RacingStore(empty);
  const readModel = { waitFor: async () => true } as unknown as ReadModelProgress;
  const metrics = new ScimMetrics({ enabled: false, tenantLabel: false, component: 'gateway' });
  const runner = new CommandRunner(store, readModel, new StreamStateCache(), new StreamTurns(), metrics);
  const registry = new SchemaRegistry();
  const registries = { forTenant: () => registry } as unknown as SchemaRegistries;
  const context = (): ScimCallContext => ({
    tenantId: TENANT,
    dryRun: false,
    outcome: { dryRun: false, eventIds: [] },
    metadata: { tenantId: TENANT, tokenId: 'tok', requestId: null, correlationId: null, sourceIp: null, userAgent: null, occurredAt: new Date().toISOString() },
  });
  const create = new CreateUserHandler(runner, registries);
  const update = new UpdateUserHandler(runner, registries);
  const patch = (userName: string) =>
    update.execute(new UpdateUserCommand(context(), USER_ID, { type: 'PatchUser', operations: [{ op: 'replace', path: 'userName', value: userName }], unknownAttributes: 'reject' }));
  return { store, patch, createUser: () => create.execute(new CreateUserCommand(context(), USER_ID, { userName: 'ann' })) };
}

describe('PATCH /Users/{id}: the operations are applied once per attempt', () => {
  it('once for a PATCH that commits on its first attempt (the rename also moves the userName reservation)', async () => {
    const { createUser, patch } = writer();
    await createUser();
    applyPatch.mockClear();
    const user = await patch('bob');
    expect(user.attributes['userName']).toBe('bob');
    expect(applyPatch).toHaveBeenCalledTimes(1);
  });

  it('twice for a PATCH whose first attempt lost a race (a version conflict) and was decided again', async () => {
    const { store, createUser, patch } = writer();
    await createUser();
    store.conflictsToRaise = 1;
    applyPatch.mockClear();
    const user = await patch('cat');
    expect(user.attributes['userName']).toBe('cat');
    expect(applyPatch).toHaveBeenCalledTimes(2);
  });
});
