import { formatEntry } from './provisioning-log.commands.js';

const entry = {
  id: '1',
  at: '2030-01-31T09:12:04.518Z',
  tenantId: 'default',
  tokenId: 't',
  requestId: 'r',
  method: 'PATCH',
  path: '/scim/v2/Groups/g-1',
  query: null,
  resourceType: 'Group',
  resourceId: 'g-1',
  status: 204,
  durationMs: 6.4,
  scimType: null,
  detail: null,
  eventIds: ['e-1'],
  dryRun: false,
  skippedMemberIds: [] as string[],
  skippedMemberCount: 0,
};

describe('provisioning-log list output', () => {
  it('ends a line with the group member ids the request skipped, and how many more the entry does not list', () => {
    expect(formatEntry(entry)).toBe('2030-01-31T09:12:04.518Z  PATCH   /scim/v2/Groups/g-1  204  6.4ms  events e-1');
    expect(formatEntry({ ...entry, skippedMemberIds: ['ghost-1', 'ghost-2'], skippedMemberCount: 2 })).toMatch(/events e-1 {2}skipped members ghost-1,ghost-2$/);
    expect(formatEntry({ ...entry, skippedMemberIds: ['ghost-1'], skippedMemberCount: 150 })).toMatch(/skipped members ghost-1 and 149 more$/);
  });
});
