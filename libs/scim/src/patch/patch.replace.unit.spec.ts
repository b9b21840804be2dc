import { INTERACT_EXTENSIONS } from '../../test-fixtures/interact-extension.test-support.js';
import { BARBARA_JENSEN, MINIMAL_USER, TOUR_GUIDES_GROUP } from '../../test-fixtures/rfc7643-users.test-support.js';
import type { ResourceTypeName } from '../schema/resource-type.js';
import { SchemaRegistry } from '../schema/schema.registry.js';
import { applyPatch } from './patch.engine.js';
import type { PatchOperation } from './patch.operation.js';

const registry = new SchemaRegistry(INTERACT_EXTENSIONS);
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const resourceTypeOf = (resource: Record<string, unknown>): ResourceTypeName =>
  (resource.schemas as string[])[0].endsWith(':Group') ? 'Group' : 'User';
const patch = (resource: Record<string, unknown>, operations: PatchOperation[]) =>
  applyPatch(resource, operations, registry, resourceTypeOf(resource));

describe('PATCH replace (RFC 7644 §3.5.2.3)', () => {
  it('RFC 7644 §3.5.2.3 example: replace all members', () => {
    const members = [
      { display: 'Babs Jensen', $ref: 'https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646', value: '2819c223-7f76-453a-919d-413861904646' },
      { display: 'James Smith', $ref: 'https://example.com/v2/Users/08e1d05d-121c-4561-8b96-473d93df9210', value: '08e1d05d-121c-4561-8b96-473d93df9210' },
    ];
    const { resource, changes } = patch(TOUR_GUIDES_GROUP, [{ op: 'replace', path: 'members', value: members }]);
    expect(resource.members).toEqual(members);
    expect(changes).toEqual([{ path: ['members'], before: TOUR_GUIDES_GROUP.members, after: members }]);
  });

  it('RFC 7644 §3.5.2.3 example: replace the work address', () => {
    const work = {
      type: 'work',
      streetAddress: '911 Universal City Plaza',
      locality: 'Hollywood',
      region: 'CA',
      postalCode: '91608',
      country: 'US',
      formatted: '911 Universal City Plaza\nHollywood, CA 91608 US',
      primary: true,
    };
    const { resource } = patch(BARBARA_JENSEN, [{ op: 'replace', path: 'addresses[type eq "work"]', value: work }]);
    expect(resource.addresses).toEqual([work, BARBARA_JENSEN.addresses[1]]);
  });

  it('RFC 7644 §3.5.2.3 example: replace a sub-attribute of the work address', () => {
    const { resource, changes } = patch(BARBARA_JENSEN, [{ op: 'replace', path: 'addresses[type eq "work"].streetAddress', value: '1010 Broadway Ave' }]);
    expect(resource.addresses).toEqual([{ ...BARBARA_JENSEN.addresses[0], streetAddress: '1010 Broadway Ave' }, BARBARA_JENSEN.addresses[1]]);
    expect(changes.map((change) => change.path)).toEqual([['addresses']]);
  });

  it('RFC 7644 §3.5.2.3 example: replace without path', () => {
    const emails = [{ value: 'bjensen@example.com', type: 'work', primary: true }, { value: 'babs@jensen.org', type: 'home' }];
    const { resource } = patch(MINIMAL_USER, [{ op: 'replace', value: { emails, nickname: 'Babs' } }]);
    expect(resource).toEqual({ ...MINIMAL_USER, emails, nickName: 'Babs' });
  });

  type Row = [title: string, before: Record<string, unknown>, operation: PatchOperation, expected: Record<string, unknown>];
  it.each<Row>([
    ['a single-valued attribute', { ...MINIMAL_USER, title: 'A' }, { op: 'replace', path: 'title', value: 'B' }, { ...MINIMAL_USER, title: 'B' }],
    ['an absent attribute is added (RFC 7644 §3.5.2.3)', MINIMAL_USER, { op: 'replace', path: 'title', value: 'B' }, { ...MINIMAL_USER, title: 'B' }],
    ['a complex attribute: sub-attributes not given stay', { ...MINIMAL_USER, name: { givenName: 'B', familyName: 'J' } }, { op: 'replace', path: 'name', value: { givenName: 'Babs' } },
      { ...MINIMAL_USER, name: { givenName: 'Babs', familyName: 'J' } }],
    ['a complex attribute with a new value is replaced whole (no stale $ref)', { ...MINIMAL_USER, schemas: [USER, ENTERPRISE], [ENTERPRISE]: { manager: { value: 'm1', $ref: '../Users/m1' } } },
      { op: 'replace', path: 'manager', value: { value: 'm2' } }, { ...MINIMAL_USER, schemas: [USER, ENTERPRISE], [ENTERPRISE]: { manager: { value: 'm2' } } }],
    ['a multi-valued attribute is replaced whole', BARBARA_JENSEN, { op: 'replace', path: 'phoneNumbers', value: [{ value: '555-0000', type: 'fax' }] },
      { ...BARBARA_JENSEN, phoneNumbers: [{ value: '555-0000', type: 'fax' }] }],
    ['an empty array unassigns a multi-valued attribute', BARBARA_JENSEN, { op: 'replace', path: 'phoneNumbers', value: [] }, (({ phoneNumbers: _p, ...rest }) => rest)(BARBARA_JENSEN)],
    ['null unassigns (RFC 7643 §2.5)', { ...MINIMAL_USER, title: 'A' }, { op: 'replace', path: 'title', value: null }, MINIMAL_USER],
    ['a sub-attribute of every element', { ...MINIMAL_USER, emails: [{ value: 'a@x', type: 'home' }, { value: 'b@x' }] }, { op: 'replace', path: 'emails.type', value: 'other' },
      { ...MINIMAL_USER, emails: [{ value: 'a@x', type: 'other' }, { value: 'b@x', type: 'other' }] }],
    ['primary through a value path demotes the old primary (RFC 7644 §3.5.2)', BARBARA_JENSEN, { op: 'replace', path: 'emails[type eq "home"].primary', value: true },
      { ...BARBARA_JENSEN, emails: [{ ...BARBARA_JENSEN.emails[0], primary: false }, { ...BARBARA_JENSEN.emails[1], primary: true }] }],
    ['an extension attribute', { ...MINIMAL_USER, schemas: [USER, ENTERPRISE], [ENTERPRISE]: { department: 'A', costCenter: '1' } },
      { op: 'replace', path: `${ENTERPRISE}:department`, value: 'B' }, { ...MINIMAL_USER, schemas: [USER, ENTERPRISE], [ENTERPRISE]: { department: 'B', costCenter: '1' } }],
    ['a whole extension by URN merges its attributes', { ...MINIMAL_USER, schemas: [USER, ENTERPRISE], [ENTERPRISE]: { department: 'A', costCenter: '1' } },
      { op: 'replace', path: ENTERPRISE, value: { department: 'B' } }, { ...MINIMAL_USER, schemas: [USER, ENTERPRISE], [ENTERPRISE]: { department: 'B', costCenter: '1' } }],
    ['an immutable sub-attribute set to the same value', TOUR_GUIDES_GROUP, { op: 'replace', path: `members[value eq "${TOUR_GUIDES_GROUP.members[0].value}"].display`, value: 'Babs Jensen' },
      TOUR_GUIDES_GROUP],
    ['readOnly keys equal to the stored value are ignored in a path-less replace', MINIMAL_USER,
      { op: 'replace', value: { id: MINIMAL_USER.id, meta: MINIMAL_USER.meta, schemas: [USER], title: 'T' } }, { ...MINIMAL_USER, title: 'T' }],
    ['readOnly keys with another value are ignored in a path-less replace too (RFC 7644 §3.5.1, as in a PUT body)', MINIMAL_USER,
      { op: 'replace', value: { id: 'other', meta: { version: 'W/"x"' }, groups: [{ value: 'g' }], title: 'T' } }, { ...MINIMAL_USER, title: 'T' }],
  ])('%s', (_title, before, operation, expected) => {
    expect(patch(before, [operation]).resource).toEqual(expected);
  });

  it('operations apply in order, each to the result of the previous (RFC 7644 §3.5.2)', () => {
    const { resource, changes } = patch(MINIMAL_USER, [
      { op: 'replace', path: 'title', value: 'A' },
      { op: 'replace', path: 'title', value: 'B' },
      { op: 'remove', path: 'nickName' },
    ]);
    expect(resource.title).toBe('B');
    expect(changes).toEqual([{ path: ['title'], after: 'B' }]);
  });

  it('a PATCH that changes nothing has no changes', () => {
    expect(patch(BARBARA_JENSEN, [{ op: 'replace', path: 'userName', value: 'bjensen@example.com' }]).changes).toEqual([]);
  });

  type ErrorRow = [title: string, before: Record<string, unknown>, operation: PatchOperation, scimType: string, detail: string];
  it.each<ErrorRow>([
    ['no value', MINIMAL_USER, { op: 'replace', path: 'title' }, 'invalidValue', 'a replace operation needs a "value" (RFC 7644 §3.5.2)'],
    ['a value filter selecting nothing that is not made of eq (RFC 7644 §3.5.2.3: noTarget)', BARBARA_JENSEN,
      { op: 'replace', path: 'addresses[type ne "work" and type ne "home"]', value: { type: 'other' } }, 'noTarget',
      `no value of 'addresses' matches the filter of 'addresses[type ne "work" and type ne "home"]' (RFC 7644 §3.5.2)`],
    ['id', MINIMAL_USER, { op: 'replace', path: 'id', value: 'other' }, 'mutability', "attribute 'id' is readOnly and cannot be modified (RFC 7643 §2.2)"],
    ['a path to meta', MINIMAL_USER, { op: 'replace', path: 'meta', value: { version: 'W/"x"' } }, 'mutability', "attribute 'meta' is readOnly and cannot be modified (RFC 7643 §2.2)"],
    ['an immutable member value', TOUR_GUIDES_GROUP, { op: 'replace', path: `members[value eq "${TOUR_GUIDES_GROUP.members[0].value}"]`, value: { value: 'someone-else' } },
      'mutability', `attribute 'members[value eq "${TOUR_GUIDES_GROUP.members[0].value}"].value' is immutable and already has a value (RFC 7643 §2.2)`],
    ['the required userName with null', MINIMAL_USER, { op: 'replace', path: 'userName', value: null }, 'invalidValue', "attribute 'userName' is required"],
    ['two primaries in a whole-array replace', MINIMAL_USER, { op: 'replace', path: 'emails', value: [{ value: 'a', primary: true }, { value: 'b', primary: true }] },
      'invalidValue', "at most one value of 'emails' may have primary set to true (RFC 7643 §2.4)"],
    ['a value path with a non-object value', BARBARA_JENSEN, { op: 'replace', path: 'emails[type eq "work"]', value: 'x' }, 'invalidValue',
      `'emails[type eq "work"]' selects elements of 'emails': the value must be an object of its sub-attributes`],
  ])('rejects %s', (_title, before, operation, scimType, detail) => {
    expect(() => patch(before, [operation])).toThrow(expect.objectContaining({ status: 400, scimType, detail }));
  });
});
