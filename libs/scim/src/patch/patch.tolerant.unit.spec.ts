import { INTERACT_EXTENSIONS } from '../../test-fixtures/interact-extension.test-support.js';
import { SchemaRegistry } from '../schema/schema.registry.js';
import { applyPatch } from './patch.engine.js';
import { withJsonEncodedValueDecoded, type PatchOperation } from './patch.operation.js';

/**
 * PATCH shapes that identity providers other than Entra send, each named after its client and source
 * (docs/conformance.md "Tolerances"). The gateway reads them; what it stores stays RFC 7643 (2.0 URNs only).
 */
const registry = new SchemaRegistry(INTERACT_EXTENSIONS);
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** A user as the gateway stores it: no id or meta (those live on the stream), active. */
const STORED_USER = { schemas: [USER], userName: 'bjensen@example.com', active: true };
/** The group Okta has just created (Okta developer docs, SCIM 2.0 "Create a Group"), as stored. */
const OKTA_GROUP = { schemas: [GROUP], displayName: 'Test SCIMv2' };

const patchUser = (operations: PatchOperation[], resource: Record<string, unknown> = STORED_USER, unknownAttributes: 'reject' | 'ignore' = 'reject') =>
  applyPatch(resource, operations, registry, 'User', { unknownAttributes });
const patchGroup = (operations: PatchOperation[], resource: Record<string, unknown> = OKTA_GROUP) => applyPatch(resource, operations, registry, 'Group');

describe('PATCH shapes of other identity providers (docs/conformance.md "Tolerances")', () => {
  it('Okta: deactivates with a path-less replace {"active": false} (Okta developer docs, SCIM 2.0 "Update a specific User (PATCH)"; RFC 7644 §3.5.2.3)', () => {
    const { resource, changes } = patchUser([{ op: 'replace', value: { active: false } }]);
    expect(resource).toEqual({ ...STORED_USER, active: false });
    expect(changes).toEqual([{ path: ['active'], before: true, after: false }]);
  });

  it('Okta: a path-less group replace {"id","displayName"} renames the group and ignores the readOnly id (Okta developer docs, SCIM 2.0 "Update a specific Group name"; RFC 7643 §2.2)', () => {
    const { resource, changes } = patchGroup([{ op: 'replace', value: { id: 'abf4dd94-a4c0-4f67-89c9-76b03340cb9b', displayName: 'Another Name' } }]);
    expect(resource).toEqual({ schemas: [GROUP], displayName: 'Another Name' });
    expect(changes).toEqual([{ path: ['displayName'], before: 'Test SCIMv2', after: 'Another Name' }]);
  });

  it('Authentik: a path-less replace with the whole group (schemas, id, meta) applies its writable attributes (goauthentik/authentik providers/scim/clients/groups.py `_update_patch_general`; RFC 7644 §3.5.1)', () => {
    const value = { schemas: [GROUP], id: 'e9e30dba', externalId: '42', displayName: 'Renamed', meta: { resourceType: 'Group' } };
    const { resource } = patchGroup([{ op: 'replace', value }]);
    expect(resource).toEqual({ schemas: [GROUP], externalId: '42', displayName: 'Renamed' });
  });

  it("Authentik: the user's own id, meta and groups inside a path-less value are ignored, whatever they hold (RFC 7643 §2.2)", () => {
    const { resource, changes } = patchUser([{ op: 'add', value: { id: 'not-this-one', meta: { version: 'W/"9"' }, groups: [{ value: 'g1' }], title: 'Guide' } }]);
    expect(resource).toEqual({ ...STORED_USER, title: 'Guide' });
    expect(changes).toEqual([{ path: ['title'], after: 'Guide' }]);
  });

  it('an explicit path to a readOnly attribute stays 400 mutability (RFC 7644 §3.5.2: "a client MUST NOT modify an attribute that has mutability readOnly")', () => {
    for (const operation of [{ op: 'replace', path: 'id', value: 'x' }, { op: 'add', path: 'meta.lastModified', value: '2026-01-01T00:00:00Z' }, { op: 'add', path: 'groups', value: [{ value: 'g' }] }]) {
      expect(() => patchUser([operation])).toThrow(expect.objectContaining({ status: 400, scimType: 'mutability' }));
    }
  });

  describe('scim2-tester: a path naming an extension URN with a complex value (python-scim/scim2-tester checkers/patch_add.py, patch_replace.py; RFC 7644 §3.5.2)', () => {
    // scim2-tester fills the value from scim2-models' EnterpriseUser, which carries its own `schemas`.
    const value = { schemas: [ENTERPRISE], employeeNumber: '701984', department: 'Tour Operations', manager: { value: '26118915', displayName: 'John Smith' } };

    it.each(['add', 'replace'])('%s merges the attributes into the extension, ignoring `schemas` and readOnly manager.displayName', (op) => {
      const before = { ...STORED_USER, schemas: [USER, ENTERPRISE], [ENTERPRISE]: { costCenter: '4130', department: 'Old' } };
      const { resource } = patchUser([{ op, path: ENTERPRISE, value }], before);
      expect(resource).toEqual({
        ...STORED_USER,
        schemas: [USER, ENTERPRISE],
        [ENTERPRISE]: { costCenter: '4130', department: 'Tour Operations', employeeNumber: '701984', manager: { value: '26118915' } },
      });
    });

    it("ignores a readOnly attribute of the extension inside the value, as in a PUT body (RFC 7643 §2.2)", () => {
      const BADGE = 'urn:example:params:scim:schemas:extension:badge:2.0:User';
      const badges = new SchemaRegistry([
        { resourceType: 'User', schema: { id: BADGE, name: 'Badge', attributes: [{ name: 'issuedBy', type: 'string', mutability: 'readOnly' }, { name: 'colour', type: 'string' }] } },
      ]);
      const { resource } = applyPatch(STORED_USER, [{ op: 'add', path: BADGE, value: { schemas: [BADGE], issuedBy: 'client', colour: 'red' } }], badges, 'User');
      expect(resource).toEqual({ ...STORED_USER, schemas: [USER, BADGE], [BADGE]: { colour: 'red' } });
    });

    it('an unknown attribute inside the value is 400 invalidSyntax, or dropped when SCIM_UNKNOWN_ATTRIBUTES=ignore (RFC 7644 §3.3)', () => {
      const operation = { op: 'add', path: ENTERPRISE, value: { employeeNumber: '1', shoeSize: 42 } };
      expect(() => patchUser([operation])).toThrow(expect.objectContaining({ status: 400, scimType: 'invalidSyntax', detail: `unknown attribute '${ENTERPRISE}:shoeSize'` }));
      expect(patchUser([operation], STORED_USER, 'ignore').resource).toEqual({ ...STORED_USER, schemas: [USER, ENTERPRISE], [ENTERPRISE]: { employeeNumber: '1' } });
    });
  });

  describe('Keycloak SCIM plugin: a path-less value as a JSON-encoded string (Captain-P-Goldfish/scim-for-keycloak#133; RFC 7644 §3.5.2.3)', () => {
    it('is read as the object it encodes, its `schemas` member ignored', () => {
      const sent = { op: 'replace', value: '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"EPD"}' };
      const operation = withJsonEncodedValueDecoded(sent);
      expect(operation).toEqual({ op: 'replace', value: { schemas: [GROUP], displayName: 'EPD' } });
      expect(patchGroup([operation]).resource).toEqual({ schemas: [GROUP], displayName: 'EPD' });
    });

    it('deactivates a user sent as "{\\"active\\":false}"', () => {
      const operation = withJsonEncodedValueDecoded({ op: 'replace', value: '{"active":false}' });
      expect(patchUser([operation]).resource).toEqual({ ...STORED_USER, active: false });
    });

    it.each<[title: string, operation: PatchOperation]>([
      ['a string that is not JSON', { op: 'replace', value: '{active:false}' }],
      ['a JSON string that encodes an array', { op: 'replace', value: '[{"active":false}]' }],
      ['a JSON string that encodes a string', { op: 'add', value: '"x"' }],
      ['a string value with a path (a string attribute is set to it)', { op: 'replace', path: 'title', value: '{"a":1}' }],
      ['a remove', { op: 'remove', path: 'title', value: '{"a":1}' }],
    ])('leaves %s as sent', (_title, operation) => {
      expect(withJsonEncodedValueDecoded(operation)).toBe(operation);
    });

    it('a path-less string that encodes no object stays 400 invalidValue', () => {
      const operation = withJsonEncodedValueDecoded({ op: 'replace', value: '[{"active":false}]' });
      expect(() => patchUser([operation])).toThrow(
        expect.objectContaining({ status: 400, scimType: 'invalidValue', detail: 'a replace operation without "path" needs an object of attributes as its "value"' }),
      );
    });
  });

  describe('JumpCloud: repeated add operations change nothing (Infisical/infisical#2138; RFC 7644 §3.5.2.1 "no changes SHOULD be made")', () => {
    it.each<[title: string, operation: PatchOperation]>([
      ['an email', { op: 'add', path: 'emails', value: [{ value: 'bjensen@example.com', type: 'work', primary: true }] }],
      ['a phone number by value filter', { op: 'add', path: 'phoneNumbers[type eq "mobile"].value', value: '555-1234' }],
      ['an address (no value sub-attribute)', { op: 'add', path: 'addresses', value: [{ type: 'work', streetAddress: '100 Universal City Plaza', locality: 'Hollywood' }] }],
      ['a path-less add of a role and a title', { op: 'add', value: { roles: [{ value: 'admin' }], title: 'Guide' } }],
      ['an extension attribute', { op: 'add', path: `${ENTERPRISE}:employeeNumber`, value: '701984' }],
    ])('%s added twice is there once, and the second add records no change', (_title, operation) => {
      const once = patchUser([operation]).resource;
      const twice = patchUser([operation], once);
      expect(twice.resource).toEqual(once);
      expect(twice.changes).toEqual([]);
      expect(patchUser([operation, operation]).resource).toEqual(once);
    });

    it('an address sent again after another became primary is the same address, made primary again', () => {
      const home = { type: 'home', streetAddress: '456 Hollywood Blvd', primary: true };
      const work = { type: 'work', streetAddress: '100 Universal City Plaza', primary: true };
      const { resource } = patchUser([
        { op: 'add', path: 'addresses', value: [work] },
        { op: 'add', path: 'addresses', value: [home] },
        { op: 'add', path: 'addresses', value: [work] },
      ]);
      expect(resource.addresses).toEqual([work, { ...home, primary: false }]);
    });

    it('the same email with another type is another element (RFC 7643 §2.4: type tells the values apart)', () => {
      const { resource } = patchUser([
        { op: 'add', path: 'emails', value: [{ value: 'a@example.com', type: 'work' }] },
        { op: 'add', path: 'emails', value: [{ value: 'a@example.com', type: 'home' }] },
      ]);
      expect(resource.emails).toEqual([{ value: 'a@example.com', type: 'work' }, { value: 'a@example.com', type: 'home' }]);
    });
  });

  describe('SCIM_UNKNOWN_ATTRIBUTES applies to PATCH as to POST and PUT (RFC 7644 §3.3 by default; docs/operations.md)', () => {
    const operations: PatchOperation[] = [
      { op: 'add', path: 'shoeSize', value: 42 },
      { op: 'replace', path: 'favourites[type eq "colour"].value', value: 'red' },
      { op: 'remove', path: 'hat' },
      { op: 'replace', value: { active: false, nickname: 'Babs', hat: 'x', name: { givenName: 'Barbara', middle: 'J' } } },
    ];

    it('ignore: operations naming unknown attributes are dropped, and unknown members of values too', () => {
      const { resource, changes } = patchUser(operations, STORED_USER, 'ignore');
      expect(resource).toEqual({ ...STORED_USER, active: false, nickName: 'Babs', name: { givenName: 'Barbara' } });
      expect(changes.map((change) => change.path)).toEqual([['active'], ['nickName'], ['name']]);
    });

    it.each<[title: string, operation: PatchOperation, scimType: string, detail: string]>([
      ['an unknown path', operations[0], 'invalidPath', "'shoeSize' names no attribute of User"],
      ['an unknown path with a value filter', operations[1], 'invalidPath', `'favourites[type eq "colour"].value' names no attribute of User`],
      ['an unknown path-less key', { op: 'replace', value: { hat: 'x' } }, 'invalidPath', "'hat' names no attribute of User"],
      ['an unknown sub-attribute', { op: 'replace', value: { name: { middle: 'J' } } }, 'invalidSyntax', "'name' has no sub-attribute 'middle'"],
    ])('reject (the default): %s is 400', (_title, operation, scimType, detail) => {
      expect(() => patchUser([operation])).toThrow(expect.objectContaining({ status: 400, scimType, detail }));
    });
  });

  it('writes only RFC 7643 2.0 URNs in `schemas`, whatever the value carried', () => {
    const { resource } = patchUser([{ op: 'add', value: { schemas: ['urn:scim:schemas:core:1.0', USER, ENTERPRISE], [ENTERPRISE]: { department: 'Tours' } } }]);
    expect(resource.schemas).toEqual([USER, ENTERPRISE]);
  });
});
