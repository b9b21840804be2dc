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

const BABS_MEMBER = { display: 'Babs Jensen', $ref: 'https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646', value: '2819c223-7f76-453a-919d-413861904646' };
const EMPTY_GROUP = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], id: 'g1', displayName: 'Tour Guides' };

describe('PATCH add (RFC 7644 §3.5.2.1)', () => {
  it('RFC 7644 §3.5.2.1 example: add a member to a group', () => {
    const { resource, changes } = patch(EMPTY_GROUP, [{ op: 'add', path: 'members', value: [BABS_MEMBER] }]);
    expect(resource.members).toEqual([BABS_MEMBER]);
    expect(changes).toEqual([{ path: ['members'], after: [BABS_MEMBER] }]);
  });

  it('RFC 7644 §3.5.2.1 example: add without path (emails and "nickname" in another case)', () => {
    const { resource, changes } = patch(MINIMAL_USER, [{ op: 'add', value: { emails: [{ value: 'babs@jensen.org', type: 'home' }], nickname: 'Babs' } }]);
    expect(resource).toEqual({ ...MINIMAL_USER, emails: [{ value: 'babs@jensen.org', type: 'home' }], nickName: 'Babs' });
    expect(changes).toEqual([
      { path: ['emails'], after: [{ value: 'babs@jensen.org', type: 'home' }] },
      { path: ['nickName'], after: 'Babs' },
    ]);
  });

  type Row = [title: string, before: Record<string, unknown>, operation: PatchOperation, expected: Record<string, unknown>];
  it.each<Row>([
    ['a single-valued attribute is set', MINIMAL_USER, { op: 'add', path: 'title', value: 'Guide' }, { ...MINIMAL_USER, title: 'Guide' }],
    ['a single-valued attribute that has a value is replaced', { ...MINIMAL_USER, title: 'A' }, { op: 'add', path: 'title', value: 'B' }, { ...MINIMAL_USER, title: 'B' }],
    ['a complex attribute merges sub-attributes', { ...MINIMAL_USER, name: { givenName: 'B', familyName: 'J' } }, { op: 'add', path: 'name', value: { givenName: 'Babs', middleName: 'Jane' } },
      { ...MINIMAL_USER, name: { givenName: 'Babs', familyName: 'J', middleName: 'Jane' } }],
    ['a sub-attribute creates its complex attribute', MINIMAL_USER, { op: 'add', path: 'name.givenName', value: 'Barbara' }, { ...MINIMAL_USER, name: { givenName: 'Barbara' } }],
    ['values are appended to a multi-valued attribute', { ...MINIMAL_USER, emails: [{ value: 'a@x', type: 'work' }] }, { op: 'add', path: 'emails', value: [{ value: 'b@x', type: 'home' }] },
      { ...MINIMAL_USER, emails: [{ value: 'a@x', type: 'work' }, { value: 'b@x', type: 'home' }] }],
    ['a value already present is not added twice', { ...MINIMAL_USER, emails: [{ value: 'a@x', type: 'work' }] }, { op: 'add', path: 'emails', value: [{ value: 'A@X', type: 'work' }] },
      { ...MINIMAL_USER, emails: [{ value: 'a@x', type: 'work' }] }],
    ['the same value with another type is another element', { ...MINIMAL_USER, emails: [{ value: 'a@x', type: 'work' }] }, { op: 'add', path: 'emails', value: [{ value: 'a@x', type: 'home' }] },
      { ...MINIMAL_USER, emails: [{ value: 'a@x', type: 'work' }, { value: 'a@x', type: 'home' }] }],
    ['a re-added element gets its new sub-attributes', { ...MINIMAL_USER, emails: [{ value: 'a@x' }] }, { op: 'add', path: 'emails', value: [{ value: 'a@x', display: 'A' }] },
      { ...MINIMAL_USER, emails: [{ value: 'a@x', display: 'A' }] }],
    ['a lone value for a multi-valued attribute is one element', MINIMAL_USER, { op: 'add', path: 'emails', value: { value: 'a@x' } }, { ...MINIMAL_USER, emails: [{ value: 'a@x' }] }],
    ['primary on a new value demotes the old primary (RFC 7644 §3.5.2)', { ...MINIMAL_USER, emails: [{ value: 'a@x', primary: true }] },
      { op: 'add', path: 'emails', value: [{ value: 'b@x', primary: true }] }, { ...MINIMAL_USER, emails: [{ value: 'a@x', primary: false }, { value: 'b@x', primary: true }] }],
    ['a value filter merges into the selected elements', BARBARA_JENSEN, { op: 'add', path: 'emails[type eq "home"]', value: { display: 'Home' } },
      { ...BARBARA_JENSEN, emails: [BARBARA_JENSEN.emails[0], { ...BARBARA_JENSEN.emails[1], display: 'Home' }] }],
    ['a value filter selecting nothing creates the element from its eq comparisons', MINIMAL_USER, { op: 'add', path: 'phoneNumbers[type eq "mobile"].value', value: '555-1234' },
      { ...MINIMAL_USER, phoneNumbers: [{ type: 'mobile', value: '555-1234' }] }],
    ['an extension attribute by URN-qualified path creates the extension', MINIMAL_USER, { op: 'add', path: `${ENTERPRISE}:employeeNumber`, value: '42' },
      { ...MINIMAL_USER, schemas: [USER, ENTERPRISE], [ENTERPRISE]: { employeeNumber: '42' } }],
    ['a whole extension by its URN', MINIMAL_USER, { op: 'add', path: ENTERPRISE, value: { department: 'Tours', costCenter: '4130' } },
      { ...MINIMAL_USER, schemas: [USER, ENTERPRISE], [ENTERPRISE]: { department: 'Tours', costCenter: '4130' } }],
    ['an extension URN as a key of a path-less value', MINIMAL_USER, { op: 'add', value: { [ENTERPRISE]: { division: 'Parks' } } },
      { ...MINIMAL_USER, schemas: [USER, ENTERPRISE], [ENTERPRISE]: { division: 'Parks' } }],
    ['adding null adds nothing (RFC 7643 §2.5)', { ...MINIMAL_USER, title: 'A' }, { op: 'add', path: 'title', value: null }, { ...MINIMAL_USER, title: 'A' }],
    ['an immutable sub-attribute may be set while it has no value', { ...EMPTY_GROUP, members: [{ value: 'u1' }] },
      { op: 'add', path: 'members[value eq "u1"]', value: { display: 'User One' } }, { ...EMPTY_GROUP, members: [{ value: 'u1', display: 'User One' }] }],
    ['a member already in the group is not added twice', TOUR_GUIDES_GROUP, { op: 'add', path: 'members', value: [{ value: BABS_MEMBER.value }] }, TOUR_GUIDES_GROUP],
  ])('%s', (_title, before, operation, expected) => {
    expect(patch(before, [operation]).resource).toEqual(expected);
  });

  type ErrorRow = [title: string, before: Record<string, unknown>, operation: PatchOperation, scimType: string, detail: string];
  it.each<ErrorRow>([
    ['no value', MINIMAL_USER, { op: 'add', path: 'title' }, 'invalidValue', 'an add operation needs a "value" (RFC 7644 §3.5.2)'],
    ['a path-less value that is not an object', MINIMAL_USER, { op: 'add', value: 'x' }, 'invalidValue', 'an add operation without "path" needs an object of attributes as its "value"'],
    ['an unknown attribute', MINIMAL_USER, { op: 'add', path: 'shoeSize', value: 42 }, 'invalidPath', "'shoeSize' names no attribute of User"],
    ['a readOnly attribute (groups)', MINIMAL_USER, { op: 'add', path: 'groups', value: [{ value: 'g' }] }, 'mutability', "attribute 'groups' is readOnly and cannot be modified (RFC 7643 §2.2)"],
    ['a readOnly sub-attribute', MINIMAL_USER, { op: 'add', path: `${ENTERPRISE}:manager.displayName`, value: 'Boss' }, 'mutability',
      `attribute '${ENTERPRISE}:manager.displayName' is readOnly and cannot be modified (RFC 7643 §2.2)`],
    ['an immutable sub-attribute that has a value', TOUR_GUIDES_GROUP, { op: 'add', path: 'members[value eq "902c246b-6245-4190-8e05-00816be7344a"]', value: { display: 'Someone else' } },
      'mutability', `attribute 'members[value eq "902c246b-6245-4190-8e05-00816be7344a"].display' is immutable and already has a value (RFC 7643 §2.2)`],
    ['a wrong type', MINIMAL_USER, { op: 'add', path: 'active', value: 'maybe' }, 'invalidValue', `attribute 'active' must be a boolean (true or false), got "maybe"`],
    ['two primaries in one value', MINIMAL_USER, { op: 'add', path: 'emails', value: [{ value: 'a', primary: true }, { value: 'b', primary: true }] }, 'invalidValue',
      "at most one value of 'emails' may have primary set to true (RFC 7643 §2.4)"],
    ['a value filter selecting nothing that is not made of eq', BARBARA_JENSEN, { op: 'add', path: 'emails[type co "x"].value', value: 'a' }, 'noTarget',
      `no value of 'emails' matches the filter of 'emails[type co "x"].value' (RFC 7644 §3.5.2)`],
    ['a value filter on a simple attribute', MINIMAL_USER, { op: 'add', path: 'userName[value eq "x"]', value: 'a' }, 'invalidPath',
      `'userName[value eq "x"]': a value filter needs a multi-valued complex attribute, and 'userName' is not one`],
    ['an unknown sub-attribute in a value filter', MINIMAL_USER, { op: 'add', path: 'emails[kind eq "x"].value', value: 'a' }, 'invalidPath',
      `'emails[kind eq "x"].value': unknown attribute 'kind' in filter for emails[...]`],
    ['an unknown op', MINIMAL_USER, { op: 'move', path: 'title', value: 'a' }, 'invalidSyntax', 'unknown PATCH op "move": expected add, remove or replace (RFC 7644 §3.5.2)'],
  ])('rejects %s', (_title, before, operation, scimType, detail) => {
    expect(() => patch(before, [operation])).toThrow(expect.objectContaining({ status: 400, scimType, detail }));
  });

  it('is atomic: a failing operation leaves the input untouched and applies nothing', () => {
    const before = structuredClone(MINIMAL_USER);
    expect(() => patch(before, [{ op: 'add', path: 'title', value: 'A' }, { op: 'add', path: 'groups', value: [] }])).toThrow();
    expect(before).toEqual(MINIMAL_USER);
  });

  it('ignores unknown attributes when configured to', () => {
    const { resource, changes } = applyPatch(MINIMAL_USER, [{ op: 'add', path: 'shoeSize', value: 42 }, { op: 'add', value: { title: 'T', hat: 'x' } }], registry, 'User', { unknownAttributes: 'ignore' });
    expect(resource).toEqual({ ...MINIMAL_USER, title: 'T' });
    expect(changes).toEqual([{ path: ['title'], after: 'T' }]);
  });
});
