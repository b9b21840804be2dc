import { INTERACT_EXTENSIONS, INTERACT_USER_SCHEMA_ID } from '../../test-fixtures/interact-extension.test-support.js';
import { SchemaRegistry } from '../schema/schema.registry.js';
import { applyPatch } from './patch.engine.js';
import type { PatchOperation } from './patch.operation.js';

/** Every PATCH form ../shared/ENTRA.md lists, as Microsoft Entra ID sends it. */
const registry = new SchemaRegistry(INTERACT_EXTENSIONS);
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** The user ENTRA.md's POST creates, as stored. */
const ENTRA_USER = {
  schemas: [USER],
  id: 'b1c2',
  externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
  userName: 'Test_User_ab6490ee@contoso.com',
  active: true,
  emails: [{ primary: true, type: 'work', value: 'Test_User_fd0ea19b@contoso.com' }],
  name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
  meta: { resourceType: 'User', created: '2024-01-01T00:00:00Z', lastModified: '2024-01-01T00:00:00Z', version: 'W/"1"' },
};
const ENTRA_GROUP = { schemas: [GROUP], id: 'g1', externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159', displayName: 'displayName' };

const patchUser = (operations: PatchOperation[], resource: Record<string, unknown> = ENTRA_USER) => applyPatch(resource, operations, registry, 'User');
const patchGroup = (operations: PatchOperation[], resource: Record<string, unknown> = ENTRA_GROUP) => applyPatch(resource, operations, registry, 'Group');

describe('PATCH as Entra sends it (ENTRA.md)', () => {
  it('ENTRA.md: capitalised Replace of emails[type eq "work"].value and name.familyName', () => {
    const { resource, changes } = patchUser([
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
      { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
    ]);
    expect(resource.emails).toEqual([{ primary: true, type: 'work', value: 'updatedEmail@microsoft.com' }]);
    expect(resource.name).toEqual({ formatted: 'givenName familyName', familyName: 'updatedFamilyName', givenName: 'givenName' });
    expect(changes.map((change) => change.path)).toEqual([['emails'], ['name']]);
  });

  it.each<[title: string, operation: PatchOperation]>([
    ['ENTRA.md: disable with a real boolean', { op: 'Replace', path: 'active', value: false }],
    ['ENTRA.md: disable with "False"', { op: 'Replace', path: 'active', value: 'False' }],
    ['ENTRA.md: lowercase op (aadOptscim062020)', { op: 'replace', path: 'active', value: false }],
    ['ENTRA.md: path-less replace with a string boolean', { op: 'Replace', value: { active: 'False' } }],
  ])('%s', (_title, operation) => {
    const { resource, changes } = patchUser([operation]);
    expect(resource.active).toBe(false);
    expect(changes).toEqual([{ path: ['active'], before: true, after: false }]);
  });

  it('ENTRA.md: aadOptscim062020 path-less replace with dotted and URN-qualified keys', () => {
    const { resource, changes } = patchUser([
      {
        op: 'replace',
        value: { displayName: 'Bjfe', 'name.givenName': 'Kkom', 'name.familyName': 'Unua', [`${ENTERPRISE}:employeeNumber`]: 'Aklq' },
      },
    ]);
    expect(resource).toEqual({
      ...ENTRA_USER,
      schemas: [USER, ENTERPRISE],
      displayName: 'Bjfe',
      name: { formatted: 'givenName familyName', givenName: 'Kkom', familyName: 'Unua' },
      [ENTERPRISE]: { employeeNumber: 'Aklq' },
    });
    expect(changes.map((change) => change.path)).toEqual([['schemas'], ['displayName'], ['name'], [ENTERPRISE, 'employeeNumber']]);
  });

  it.each<[title: string, operation: PatchOperation]>([
    ['ENTRA.md: Replace emails[type eq "work"].value creates the work email when absent', { op: 'Replace', path: 'emails[type eq "work"].value', value: 'new@contoso.com' }],
    ['Add emails[type eq "work"].value creates it too', { op: 'Add', path: 'emails[type eq "work"].value', value: 'new@contoso.com' }],
    ['attribute names as Entra mapping tables write them (`.Value`)', { op: 'Replace', path: 'Emails[Type eq "work"].Value', value: 'new@contoso.com' }],
  ])('%s', (_title, operation) => {
    const { emails: _emails, ...withoutEmails } = ENTRA_USER;
    const { resource } = patchUser([operation], { ...withoutEmails, emails: [{ type: 'home', value: 'home@example.org' }] });
    expect(resource.emails).toEqual([{ type: 'home', value: 'home@example.org' }, { type: 'work', value: 'new@contoso.com' }]);
  });

  it.each<[title: string, operation: PatchOperation]>([
    ['ENTRA.md: manager as a bare string', { op: 'Replace', path: `${ENTERPRISE}:manager`, value: '26118915-6090-4610-87e4-49d8ca9f808d' }],
    ['ENTRA.md: Add manager as an array', { op: 'Add', path: 'manager', value: [{ $ref: '../Users/26118915-6090-4610-87e4-49d8ca9f808d', value: '26118915-6090-4610-87e4-49d8ca9f808d' }] }],
    ['manager in a path-less value', { op: 'Add', value: { [`${ENTERPRISE}:manager`]: '26118915-6090-4610-87e4-49d8ca9f808d' } }],
  ])('%s', (_title, operation) => {
    const { resource, changes } = patchUser([operation]);
    expect(resource.schemas).toEqual([USER, ENTERPRISE]);
    expect((resource[ENTERPRISE] as { manager: { value: string } }).manager.value).toBe('26118915-6090-4610-87e4-49d8ca9f808d');
    expect(changes.map((change) => change.path)).toEqual([['schemas'], [ENTERPRISE, 'manager']]);
  });

  it('ENTRA.md: a new manager replaces the old one whole', () => {
    const withManager = { ...ENTRA_USER, schemas: [USER, ENTERPRISE], [ENTERPRISE]: { manager: { value: 'old', $ref: '../Users/old' } } };
    const { resource } = patchUser([{ op: 'Replace', path: `${ENTERPRISE}:manager`, value: 'new' }], withManager);
    expect(resource[ENTERPRISE]).toEqual({ manager: { value: 'new' } });
  });

  it('ENTRA.md: explicit null manager means no manager', () => {
    const withManager = { ...ENTRA_USER, schemas: [USER, ENTERPRISE], [ENTERPRISE]: { manager: { value: 'old' } } };
    const { resource } = patchUser([{ op: 'Replace', value: { [`${ENTERPRISE}:manager`]: null, addresses: null } }], withManager);
    expect(resource).toEqual(ENTRA_USER);
  });

  it('ENTRA.md: a custom extension attribute whose URN is not in schemas', () => {
    const { resource } = patchUser([{ op: 'Add', path: `${INTERACT_USER_SCHEMA_ID}:location`, value: 'Leeds' }]);
    expect(resource.schemas).toEqual([USER, INTERACT_USER_SCHEMA_ID]);
    expect(resource[INTERACT_USER_SCHEMA_ID]).toEqual({ location: 'Leeds' });
  });

  it('ENTRA.md complaint: PATCH of externalId is applied', () => {
    const { resource, changes } = patchUser([{ op: 'Replace', path: 'externalId', value: 'new-external-id' }]);
    expect(resource.externalId).toBe('new-external-id');
    expect(changes).toEqual([{ path: ['externalId'], before: ENTRA_USER.externalId, after: 'new-external-id' }]);
  });

  it('ENTRA.md: Add members with "$ref": null', () => {
    const { resource, changes } = patchGroup([{ op: 'Add', path: 'members', value: [{ $ref: null, value: 'f648f8d5ea4e4cd38e9c' }] }]);
    expect(resource.members).toEqual([{ value: 'f648f8d5ea4e4cd38e9c' }]);
    expect(changes).toEqual([{ path: ['members'], after: [{ value: 'f648f8d5ea4e4cd38e9c' }] }]);
  });

  const MEMBERS = [{ value: 'u1' }, { value: 'u2' }, { value: 'u3' }];
  it.each<[title: string, operation: PatchOperation, remaining: { value: string }[]]>([
    ['ENTRA.md: Remove with a value array names the members to remove', { op: 'Remove', path: 'members', value: [{ $ref: null, value: 'u2' }] }, [{ value: 'u1' }, { value: 'u3' }]],
    ['ENTRA.md: Remove of several members', { op: 'Remove', path: 'members', value: [{ value: 'u1' }, { value: 'u3' }] }, [{ value: 'u2' }]],
    ['ENTRA.md: remove members[value eq "<id>"] (aadOptscim062020)', { op: 'remove', path: 'members[value eq "u3"]' }, [{ value: 'u1' }, { value: 'u2' }]],
    ['ENTRA.md complaint: removing a non-member removes no one', { op: 'Remove', path: 'members', value: [{ value: 'u9' }] }, MEMBERS],
    ['ENTRA.md complaint: a filter naming no member removes no one', { op: 'remove', path: 'members[value eq "u9"]' }, MEMBERS],
  ])('%s', (_title, operation, remaining) => {
    expect(patchGroup([operation], { ...ENTRA_GROUP, members: MEMBERS }).resource.members).toEqual(remaining);
  });

  it('ENTRA.md complaint: removing the last member leaves an empty group, not an error', () => {
    const { resource } = patchGroup([{ op: 'Remove', path: 'members', value: [{ value: 'u1' }] }], { ...ENTRA_GROUP, members: [{ value: 'u1' }] });
    expect(resource).toEqual(ENTRA_GROUP);
  });
});
