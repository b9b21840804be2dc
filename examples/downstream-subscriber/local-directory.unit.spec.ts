import { LocalDirectory } from './local-directory.js';
import type { ScimEvent } from './scim-event.contract.js';

let n = 0;
function event(type: string, subject: string, revision: number, data: Partial<ScimEvent['data']> = {}, id = `event-${++n}`): ScimEvent {
  const resourceType = type.startsWith('scim.user.') ? 'User' : 'Group';
  return {
    specversion: '1.0',
    id,
    source: '/tenants/t',
    type,
    subject,
    time: '2026-01-01T00:00:00.000Z',
    tenantid: 't',
    data: {
      resource: { id: subject, schemas: [], meta: { resourceType, lastModified: '2026-01-01T00:00:00.000Z', version: `W/"${revision}"` }, displayName: `r${revision}` },
      change: null,
      revision,
      position: `1:${n}`,
      ...data,
    },
  };
}

describe('LocalDirectory', () => {
  it('keeps the latest user and forgets a deleted one', () => {
    const directory = new LocalDirectory();
    expect(directory.apply(event('scim.user.created', 'u1', 0))).toBe('applied');
    expect(directory.apply(event('scim.user.deactivated', 'u1', 1))).toBe('applied');
    expect(directory.users.get('t:u1')).toMatchObject({ displayName: 'r1' });
    expect(directory.apply(event('scim.user.deleted', 'u1', 2, { resource: null }))).toBe('applied');
    expect(directory.users.has('t:u1')).toBe(false);
  });

  it('drops a redelivered event by its id', () => {
    const directory = new LocalDirectory();
    const created = event('scim.user.created', 'u1', 0);
    directory.apply(created);
    expect(directory.apply(created)).toBe('duplicate');
  });

  it('drops replayed history older than what it has, also after a delete', () => {
    const directory = new LocalDirectory();
    directory.apply(event('scim.user.created', 'u1', 0));
    directory.apply(event('scim.user.updated', 'u1', 1));
    directory.apply(event('scim.user.deleted', 'u1', 2, { resource: null }));
    expect(directory.apply(event('scim.user.updated', 'u1', 1, {}, 'replayed-with-unknown-id'))).toBe('stale');
    expect(directory.users.has('t:u1')).toBe(false);
  });

  it('keeps group members from the deltas, and the group attributes from each event', () => {
    const directory = new LocalDirectory();
    directory.apply(event('scim.group.created', 'g1', 0));
    directory.apply(event('scim.group.members_added', 'g1', 1, { change: { added: [{ value: 'u1' }, { value: 'u2' }] } }));
    directory.apply(event('scim.group.members_removed', 'g1', 2, { change: { removed: ['u1'], reason: 'request' } }));
    directory.apply(event('scim.group.updated', 'g1', 3, { change: { attributes: [] } }));
    expect([...directory.groups.get('t:g1')!.members.keys()]).toEqual(['u2']);
    expect(directory.groups.get('t:g1')!.resource).toMatchObject({ displayName: 'r3' });
    directory.apply(event('scim.group.members_replaced', 'g1', 4, { change: { members: [{ value: 'u3' }] } }));
    expect([...directory.groups.get('t:g1')!.members.keys()]).toEqual(['u3']);
    directory.apply(event('scim.group.deleted', 'g1', 5, { resource: null }));
    expect(directory.groups.size).toBe(0);
  });

  it('skips an event type it does not know instead of failing', () => {
    expect(new LocalDirectory().apply(event('scim.user.promoted', 'u1', 0))).toBe('ignored');
  });
});
