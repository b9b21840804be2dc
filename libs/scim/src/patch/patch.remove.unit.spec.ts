import { INTERACT_EXTENSIONS, INTERACT_USER_SCHEMA_ID } from '../../test-fixtures/interact-extension.test-support.js';
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

const [BABS, MANDY] = TOUR_GUIDES_GROUP.members;
const { members: _members, ...GROUP_WITHOUT_MEMBERS } = TOUR_GUIDES_GROUP;

describe('PATCH remove (RFC 7644 §3.5.2.2)', () => {
  it('RFC 7644 §3.5.2.2 example: remove one member by value filter', () => {
    const { resource, changes } = patch(TOUR_GUIDES_GROUP, [{ op: 'remove', path: `members[value eq "${BABS.value}"]` }]);
    expect(resource.members).toEqual([MANDY]);
    expect(changes).toEqual([{ path: ['members'], before: [BABS, MANDY], after: [MANDY] }]);
  });

  it('RFC 7644 §3.5.2.2 example: remove all members', () => {
    const { resource, changes } = patch(TOUR_GUIDES_GROUP, [{ op: 'remove', path: 'members' }]);
    expect(resource).toEqual(GROUP_WITHOUT_MEMBERS);
    expect(changes).toEqual([{ path: ['members'], before: [BABS, MANDY] }]);
  });

  it('RFC 7644 §3.5.2.2 example: remove the elements a complex filter selects', () => {
    const { resource } = patch(BARBARA_JENSEN, [{ op: 'remove', path: 'emails[type eq "work" and value ew "example.com"]' }]);
    expect(resource.emails).toEqual([BARBARA_JENSEN.emails[1]]);
  });

  it('RFC 7644 §3.5.2.2 example: replace all members by remove then add', () => {
    const newMembers = [
      { display: 'James Smith', $ref: 'https://example.com/v2/Users/08e1d05d-121c-4561-8b96-473d93df9210', value: '08e1d05d-121c-4561-8b96-473d93df9210' },
    ];
    const { resource } = patch(TOUR_GUIDES_GROUP, [{ op: 'remove', path: 'members' }, { op: 'add', path: 'members', value: newMembers }]);
    expect(resource.members).toEqual(newMembers);
  });

  type Row = [title: string, before: Record<string, unknown>, operation: PatchOperation, expected: Record<string, unknown>];
  it.each<Row>([
    ['a single-valued attribute becomes unassigned', { ...MINIMAL_USER, title: 'T' }, { op: 'remove', path: 'title' }, MINIMAL_USER],
    ['removing an absent attribute changes nothing', MINIMAL_USER, { op: 'remove', path: 'nickName' }, MINIMAL_USER],
    ['a sub-attribute; the complex attribute stays with the rest', { ...MINIMAL_USER, name: { givenName: 'B', familyName: 'J' } }, { op: 'remove', path: 'name.givenName' },
      { ...MINIMAL_USER, name: { familyName: 'J' } }],
    ['the last sub-attribute leaves the complex attribute unassigned', { ...MINIMAL_USER, name: { givenName: 'B' } }, { op: 'remove', path: 'name.givenName' }, MINIMAL_USER],
    ['a sub-attribute of the selected elements', BARBARA_JENSEN, { op: 'remove', path: 'emails[type eq "work"].primary' },
      { ...BARBARA_JENSEN, emails: [{ value: 'bjensen@example.com', type: 'work' }, BARBARA_JENSEN.emails[1]] }],
    ['a sub-attribute of every element', BARBARA_JENSEN, { op: 'remove', path: 'emails.type' },
      { ...BARBARA_JENSEN, emails: [{ value: 'bjensen@example.com', primary: true }, { value: 'babs@jensen.org' }] }],
    ['a filter selecting nothing changes nothing', TOUR_GUIDES_GROUP, { op: 'remove', path: 'members[value eq "not-a-member"]' }, TOUR_GUIDES_GROUP],
    ['the last element leaves the attribute unassigned', { ...MINIMAL_USER, emails: [{ value: 'a@x' }] }, { op: 'remove', path: 'emails[value eq "a@x"]' }, MINIMAL_USER],
    ['an extension attribute; the emptied extension leaves schemas', { ...MINIMAL_USER, schemas: [USER, ENTERPRISE], [ENTERPRISE]: { department: 'D' } },
      { op: 'remove', path: `${ENTERPRISE}:department` }, MINIMAL_USER],
    ['a whole extension by its URN', { ...MINIMAL_USER, schemas: [USER, INTERACT_USER_SCHEMA_ID], [INTERACT_USER_SCHEMA_ID]: { location: 'Leeds', loginType: 'SAML' } },
      { op: 'remove', path: INTERACT_USER_SCHEMA_ID }, MINIMAL_USER],
    ['removing members removes the whole elements although their sub-attributes are immutable', TOUR_GUIDES_GROUP,
      { op: 'remove', path: `members[value eq "${MANDY.value}"]` }, { ...TOUR_GUIDES_GROUP, members: [BABS] }],
    ['a value array removes only the listed members', TOUR_GUIDES_GROUP, { op: 'remove', path: 'members', value: [{ value: MANDY.value }] }, { ...TOUR_GUIDES_GROUP, members: [BABS] }],
    ['a value array naming no member removes nothing', TOUR_GUIDES_GROUP, { op: 'remove', path: 'members', value: [{ value: 'stranger' }] }, TOUR_GUIDES_GROUP],
    ['an empty value array removes nothing', TOUR_GUIDES_GROUP, { op: 'remove', path: 'members', value: [] }, TOUR_GUIDES_GROUP],
    ['a value without sub-attributes removes nothing', TOUR_GUIDES_GROUP, { op: 'remove', path: 'members', value: [{ $ref: null }] }, TOUR_GUIDES_GROUP],
    ['a value matches on every sub-attribute it gives', BARBARA_JENSEN, { op: 'remove', path: 'emails', value: [{ value: 'babs@jensen.org', type: 'work' }] }, BARBARA_JENSEN],
  ])('%s', (_title, before, operation, expected) => {
    expect(patch(before, [operation]).resource).toEqual(expected);
  });

  type ErrorRow = [title: string, before: Record<string, unknown>, operation: PatchOperation, scimType: string, detail: string];
  it.each<ErrorRow>([
    ['no path (RFC 7644 §3.5.2.2: noTarget)', MINIMAL_USER, { op: 'remove' }, 'noTarget', 'a remove operation needs a "path" (RFC 7644 §3.5.2.2)'],
    ['the required userName', MINIMAL_USER, { op: 'remove', path: 'userName' }, 'invalidValue', "attribute 'userName' is required"],
    ['the required Group displayName', TOUR_GUIDES_GROUP, { op: 'remove', path: 'displayName' }, 'invalidValue', "attribute 'displayName' is required"],
    ['id', MINIMAL_USER, { op: 'remove', path: 'id' }, 'mutability', "attribute 'id' is readOnly and cannot be modified (RFC 7643 §2.2)"],
    ['meta', MINIMAL_USER, { op: 'remove', path: 'meta.lastModified' }, 'mutability', "attribute 'meta.lastModified' is readOnly and cannot be modified (RFC 7643 §2.2)"],
    ['an immutable sub-attribute', TOUR_GUIDES_GROUP, { op: 'remove', path: `members[value eq "${BABS.value}"].display` }, 'mutability',
      `attribute 'members[value eq "${BABS.value}"].display' is immutable and cannot be removed (RFC 7643 §2.2)`],
    ['a malformed path', MINIMAL_USER, { op: 'remove', path: 'emails[type eq' }, 'invalidPath',
      `invalid PATCH path: expected a value (a quoted string, a number, true, false or null) at position 14 in 'emails[type eq'`],
  ])('rejects %s', (_title, before, operation, scimType, detail) => {
    expect(() => patch(before, [operation])).toThrow(expect.objectContaining({ status: 400, scimType, detail }));
  });
});
