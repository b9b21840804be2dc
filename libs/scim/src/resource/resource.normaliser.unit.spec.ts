import { INTERACT_EXTENSIONS, INTERACT_GROUP_SCHEMA_ID, INTERACT_USER_SCHEMA_ID } from '../../test-fixtures/interact-extension.test-support.js';
import { BARBARA_JENSEN } from '../../test-fixtures/rfc7643-users.test-support.js';
import type { ResourceTypeName } from '../schema/resource-type.js';
import { SchemaRegistry } from '../schema/schema.registry.js';
import { InvalidSyntaxError, InvalidValueError, type ScimError } from '../scim-error.js';
import { normaliseResource } from './resource.normaliser.js';

const registry = new SchemaRegistry(INTERACT_EXTENSIONS);
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const SCIM_1_CORE = 'urn:scim:schemas:core:1.0';

type Row = [title: string, resourceType: ResourceTypeName, body: Record<string, unknown>, expected: Record<string, unknown>];

describe('normaliseResource', () => {
  it.each<Row>([
    ['RFC 7643 §8.1 minimal user (id and meta are readOnly: ignored)', 'User',
      { schemas: [USER], id: '2819c223', userName: 'bjensen@example.com', meta: { resourceType: 'User', created: '2010-01-23T04:56:22Z' } },
      { schemas: [USER], userName: 'bjensen@example.com' }],
    ['RFC 7643 §8.4 group (members kept)', 'Group',
      { schemas: [GROUP], displayName: 'Tour Guides', members: [{ value: '2819c223', $ref: 'https://example.com/v2/Users/2819c223', display: 'Babs Jensen' }] },
      { schemas: [GROUP], displayName: 'Tour Guides', members: [{ value: '2819c223', $ref: 'https://example.com/v2/Users/2819c223', display: 'Babs Jensen' }] }],
    ['ENTRA.md: POST /Users as Entra sends it', 'User',
      {
        schemas: [USER, ENTERPRISE],
        externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
        userName: 'Test_User_ab6490ee@contoso.com',
        active: true,
        emails: [{ primary: true, type: 'work', value: 'Test_User_fd0ea19b@contoso.com' }],
        meta: { resourceType: 'User' },
        name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
        roles: [],
      },
      {
        schemas: [USER],
        externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
        userName: 'Test_User_ab6490ee@contoso.com',
        active: true,
        emails: [{ primary: true, type: 'work', value: 'Test_User_fd0ea19b@contoso.com' }],
        name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      }],
    ['ENTRA.md: POST /Groups with an unknown ADSCIM URN in schemas', 'Group',
      {
        schemas: [GROUP, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
        externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
        displayName: 'displayName',
        meta: { resourceType: 'Group' },
      },
      { schemas: [GROUP], externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159', displayName: 'displayName' }],
    ['ENTRA.md: POST /Groups with an empty member list', 'Group', { schemas: [GROUP], displayName: 'G', members: [] }, { schemas: [GROUP], displayName: 'G' }],
    ['ENTRA.md: "active":"True" becomes a boolean', 'User', { userName: 'a', active: 'True' }, { schemas: [USER], userName: 'a', active: true }],
    ['ENTRA.md: "False" in any case', 'User', { userName: 'a', active: 'FALSE', emails: [{ value: 'a@b', primary: 'false' }] },
      { schemas: [USER], userName: 'a', active: false, emails: [{ value: 'a@b', primary: false }] }],
    ['ENTRA.md: explicit nulls mean no value', 'User',
      { userName: 'a', addresses: null, nickName: null, name: { givenName: null, familyName: 'F' }, [ENTERPRISE]: { manager: null, department: 'D' } },
      { schemas: [USER, ENTERPRISE], userName: 'a', name: { familyName: 'F' }, [ENTERPRISE]: { department: 'D' } }],
    ['ENTRA.md: a null extension object', 'User', { userName: 'a', [ENTERPRISE]: null }, { schemas: [USER], userName: 'a' }],
    ['an extension object with only nulls is absent', 'User', { userName: 'a', [ENTERPRISE]: { manager: null } }, { schemas: [USER], userName: 'a' }],
    ['ENTRA.md: manager as a bare string', 'User', { userName: 'a', [ENTERPRISE]: { manager: '26118915' } },
      { schemas: [USER, ENTERPRISE], userName: 'a', [ENTERPRISE]: { manager: { value: '26118915' } } }],
    ['ENTRA.md: manager as a one-element array', 'User', { userName: 'a', [ENTERPRISE]: { manager: [{ $ref: '../Users/26118915', value: '26118915' }] } },
      { schemas: [USER, ENTERPRISE], userName: 'a', [ENTERPRISE]: { manager: { $ref: '../Users/26118915', value: '26118915' } } }],
    ['ENTRA.md: role values that are stringified JSON stay strings', 'User',
      { userName: 'a', roles: [{ primary: false, type: 'WindowsAzureActiveDirectoryRole', value: '{"id":"7b9b","displayName":"Admin"}' }] },
      { schemas: [USER], userName: 'a', roles: [{ primary: false, type: 'WindowsAzureActiveDirectoryRole', value: '{"id":"7b9b","displayName":"Admin"}' }] }],
    ['ENTRA.md: custom extension without its URN in schemas', 'User',
      { schemas: [USER], userName: 'a', [INTERACT_USER_SCHEMA_ID]: { location: 'Leeds', loginType: 'SAML' } },
      { schemas: [USER, INTERACT_USER_SCHEMA_ID], userName: 'a', [INTERACT_USER_SCHEMA_ID]: { location: 'Leeds', loginType: 'SAML' } }],
    ['ENTRA.md: URN-qualified extension keys at the top level', 'User',
      { userName: 'a', [`${INTERACT_USER_SCHEMA_ID}:location`]: 'Leeds', [`${ENTERPRISE}:employeeNumber`]: '42' },
      { schemas: [USER, ENTERPRISE, INTERACT_USER_SCHEMA_ID], userName: 'a', [ENTERPRISE]: { employeeNumber: '42' }, [INTERACT_USER_SCHEMA_ID]: { location: 'Leeds' } }],
    ['URN-qualified core attribute', 'User', { [`${USER}:userName`]: 'a' }, { schemas: [USER], userName: 'a' }],
    ['attribute names take the schema case (RFC 7643 §2.1)', 'User',
      { USERNAME: 'a', Name: { GivenName: 'B' }, Emails: [{ VALUE: 'a@b', Type: 'work' }], [ENTERPRISE.toLowerCase()]: { EmployeeNumber: '1' } },
      { schemas: [USER, ENTERPRISE], userName: 'a', name: { givenName: 'B' }, emails: [{ value: 'a@b', type: 'work' }], [ENTERPRISE]: { employeeNumber: '1' } }],
    ['numeric strings become numbers for integer attributes', 'User', { userName: 'a', [INTERACT_USER_SCHEMA_ID]: { headcount: '12', onLeave: 'true' } },
      { schemas: [USER, INTERACT_USER_SCHEMA_ID], userName: 'a', [INTERACT_USER_SCHEMA_ID]: { headcount: 12, onLeave: true } }],
    ['readOnly sub-attributes are ignored (manager.displayName, groups)', 'User',
      { userName: 'a', groups: [{ value: 'g1' }], [ENTERPRISE]: { manager: { value: 'm', displayName: 'Boss' } } },
      { schemas: [USER, ENTERPRISE], userName: 'a', [ENTERPRISE]: { manager: { value: 'm' } } }],
    ['$ref null in members is dropped', 'Group', { displayName: 'G', members: [{ $ref: null, value: 'f648f8d5ea4e4cd38e9c' }] },
      { schemas: [GROUP], displayName: 'G', members: [{ value: 'f648f8d5ea4e4cd38e9c' }] }],
    ['an empty string is a value', 'User', { userName: 'a', nickName: '' }, { schemas: [USER], userName: 'a', nickName: '' }],
    ['the password is kept (writeOnly is still written)', 'User', { userName: 'a', password: 's3cret' }, { schemas: [USER], userName: 'a', password: 's3cret' }],
    ['custom Group extension', 'Group', { displayName: 'G', [INTERACT_GROUP_SCHEMA_ID]: { groupType: 'department' } },
      { schemas: [GROUP, INTERACT_GROUP_SCHEMA_ID], displayName: 'G', [INTERACT_GROUP_SCHEMA_ID]: { groupType: 'department' } }],
    ['Google Workspace: the SCIM 1.0 core URN beside 2.0 in schemas is accepted, only 2.0 URNs are kept (issue 13; RFC 7643 §3)', 'User',
      { schemas: [SCIM_1_CORE, USER, ENTERPRISE], userName: 'a', [ENTERPRISE]: { department: 'D' } },
      { schemas: [USER, ENTERPRISE], userName: 'a', [ENTERPRISE]: { department: 'D' } }],
    ['Google Workspace: the SCIM 1.0 core URN on a Group (issue 13; RFC 7643 §3)', 'Group', { schemas: [GROUP, SCIM_1_CORE], displayName: 'G' },
      { schemas: [GROUP], displayName: 'G' }],
    ['Okta: a full PUT echoing id, meta, groups and manager.displayName ignores them (Okta developer docs, SCIM 2.0 "Update a specific User (PUT)"; RFC 7644 §3.5.1)', 'User',
      {
        schemas: [USER, ENTERPRISE],
        id: '23a35c27-23d3-4c03-b4c5-6443c09e7173',
        userName: 'test.user@okta.local',
        active: false,
        groups: [{ value: 'g1', display: 'Group 1' }],
        meta: { resourceType: 'User', created: '2026-01-01T00:00:00Z' },
        [ENTERPRISE]: { manager: { value: 'm', displayName: 'Boss' } },
      },
      { schemas: [USER, ENTERPRISE], userName: 'test.user@okta.local', active: false, [ENTERPRISE]: { manager: { value: 'm' } } }],
  ])('%s', (_title, resourceType, body, expected) => {
    expect(normaliseResource(body, registry, resourceType)).toEqual(expected);
  });

  it('RFC 7643 §8.3: the enterprise user example keeps every writable attribute', () => {
    const normalised = normaliseResource(BARBARA_JENSEN, registry, 'User');
    const { id: _id, meta: _meta, groups: _groups, ...writable } = BARBARA_JENSEN;
    const { displayName: _managerName, ...manager } = BARBARA_JENSEN[ENTERPRISE].manager;
    expect(normalised).toEqual({ ...writable, [ENTERPRISE]: { ...BARBARA_JENSEN[ENTERPRISE], manager } });
  });

  it('does not modify the body', () => {
    const body = { userName: 'a', active: 'True', nickName: null };
    normaliseResource(body, registry, 'User');
    expect(body).toEqual({ userName: 'a', active: 'True', nickName: null });
  });

  it('ignores unknown attributes when configured to', () => {
    const body = { userName: 'a', shoeSize: 42, name: { givenName: 'B', nick: 'x' }, [ENTERPRISE]: { badge: 1 }, 'urn:example:Unknown:2.0:User': { x: 1 } };
    expect(normaliseResource(body, registry, 'User', { unknownAttributes: 'ignore' })).toEqual({ schemas: [USER], userName: 'a', name: { givenName: 'B' } });
  });

  type ErrorRow = [title: string, resourceType: ResourceTypeName, body: unknown, error: new (detail: string) => ScimError, detail: string];
  it.each<ErrorRow>([
    ['the body is not an object', 'User', ['userName'], InvalidSyntaxError, 'the User must be a JSON object'],
    ['required userName missing (RFC 7643 §4.1.1)', 'User', { displayName: 'x' }, InvalidValueError, "attribute 'userName' is required"],
    ['required userName null', 'User', { userName: null }, InvalidValueError, "attribute 'userName' is required"],
    ['required userName empty', 'User', { userName: '' }, InvalidValueError, "attribute 'userName' is required"],
    ['required Group displayName missing (RFC 7643 §4.2)', 'Group', { members: [] }, InvalidValueError, "attribute 'displayName' is required"],
    ['wrong type: boolean', 'User', { userName: 'a', active: 'maybe' }, InvalidValueError, `attribute 'active' must be a boolean (true or false), got "maybe"`],
    ['wrong type: string', 'User', { userName: 42 }, InvalidValueError, "attribute 'userName' must be a string, got 42"],
    ['wrong type: complex', 'User', { userName: 'a', name: 'Barbara' }, InvalidValueError, `attribute 'name' must be a complex value (a JSON object), got "Barbara"`],
    ['wrong type: multi-valued', 'User', { userName: 'a', emails: { value: 'a@b' } }, InvalidValueError, "attribute 'emails' must be an array (it is multi-valued)"],
    ['wrong type: sub-attribute', 'User', { userName: 'a', emails: [{ value: 'a@b', primary: 'yes' }] }, InvalidValueError,
      `attribute 'emails.primary' must be a boolean (true or false), got "yes"`],
    ['wrong type: integer', 'User', { userName: 'a', [INTERACT_USER_SCHEMA_ID]: { headcount: '1.5' } }, InvalidValueError,
      `attribute '${INTERACT_USER_SCHEMA_ID}:headcount' must be an integer, got "1.5"`],
    ['wrong type: dateTime', 'User', { userName: 'a', [INTERACT_USER_SCHEMA_ID]: { jobStartDate: '1/3/2024' } }, InvalidValueError,
      `attribute '${INTERACT_USER_SCHEMA_ID}:jobStartDate' must be a dateTime (xsd:dateTime, e.g. 2008-01-23T04:56:22Z), got "1/3/2024"`],
    ['wrong type: extension object', 'User', { userName: 'a', [ENTERPRISE]: 'x' }, InvalidValueError, `'${ENTERPRISE}' must be a JSON object of EnterpriseUser attributes`],
    ['wrong type: schemas', 'User', { userName: 'a', schemas: USER }, InvalidValueError, "attribute 'schemas' must be an array of schema URIs"],
    ['single-valued manager given two values', 'User', { userName: 'a', [ENTERPRISE]: { manager: [{ value: 'a' }, { value: 'b' }] } }, InvalidValueError,
      `attribute '${ENTERPRISE}:manager' is single-valued but 2 values were given`],
    ['two primary emails (RFC 7643 §2.4)', 'User', { userName: 'a', emails: [{ value: 'a@b', primary: true }, { value: 'c@d', primary: 'True' }] }, InvalidValueError,
      "at most one value of 'emails' may have primary set to true (RFC 7643 §2.4)"],
    ['unknown attribute (RFC 7644 §3.3)', 'User', { userName: 'a', shoeSize: 42 }, InvalidSyntaxError, "unknown attribute 'shoeSize'"],
    ['unknown sub-attribute', 'User', { userName: 'a', name: { nick: 'x' } }, InvalidSyntaxError, "'name' has no sub-attribute 'nick'"],
    ['unknown extension URN', 'User', { userName: 'a', 'urn:example:Unknown:2.0:User': { x: 1 } }, InvalidSyntaxError, "unknown attribute 'urn:example:Unknown:2.0:User'"],
    ['an extension attribute outside its extension', 'User', { userName: 'a', employeeNumber: '1' }, InvalidSyntaxError, "unknown attribute 'employeeNumber'"],
    ['a User attribute on a Group', 'Group', { displayName: 'G', userName: 'a' }, InvalidSyntaxError, "unknown attribute 'userName'"],
    ['dotted keys are PATCH-only', 'User', { userName: 'a', 'name.givenName': 'B' }, InvalidSyntaxError,
      "'name.givenName': attribute paths with \".\" are only allowed in PATCH (RFC 7644 §3.5.2); send the complex attribute as an object"],
    ['the same attribute twice in different case', 'User', { userName: 'a', UserName: 'b' }, InvalidSyntaxError,
      "attribute 'userName' is given twice (names are case-insensitive)"],
  ])('rejects: %s', (_title, resourceType, body, errorClass, detail) => {
    const attempt = (): unknown => normaliseResource(body, registry, resourceType);
    expect(attempt).toThrow(errorClass);
    expect(attempt).toThrow(expect.objectContaining({ detail }));
  });

  it('enforces required attributes of a present extension', () => {
    const attempt = (): unknown => normaliseResource({ displayName: 'G', [INTERACT_GROUP_SCHEMA_ID]: { groupType: '' } }, registry, 'Group');
    expect(attempt).toThrow(expect.objectContaining({ scimType: 'invalidValue', detail: `attribute '${INTERACT_GROUP_SCHEMA_ID}:groupType' is required` }));
  });

  it('enforces a required extension (RFC 7643 §6 schemaExtensions.required)', () => {
    const strict = new SchemaRegistry([{ resourceType: 'User', schema: { id: 'urn:example:Badge:2.0:User', attributes: [{ name: 'badge', type: 'string' }] }, required: true }]);
    expect(() => normaliseResource({ userName: 'a' }, strict, 'User')).toThrow(
      expect.objectContaining({ scimType: 'invalidValue', detail: "the schema extension 'urn:example:Badge:2.0:User' is required for User" }),
    );
    expect(normaliseResource({ userName: 'a', 'urn:example:Badge:2.0:User': { badge: 'b' } }, strict, 'User').schemas).toEqual([USER, 'urn:example:Badge:2.0:User']);
  });
});

/** Issue 12: the values the stores index fit their index, whatever the script; prototype-shaped keys are data. */
describe('indexed values and hostile keys', () => {
  it.each([
    ['userName', { userName: 'a'.repeat(769) }, "'userName' is 769 bytes long in UTF-8; at most 768 bytes are allowed, as it is indexed"],
    ['externalId', { userName: 'a', externalId: 'é'.repeat(385) }, "'externalId' is 770 bytes long"],
    ['displayName', { userName: 'a', displayName: '中'.repeat(257) }, "'displayName' is 771 bytes long"],
    ['emails.value', { userName: 'a', emails: [{ value: 'ok' }, { value: 'x'.repeat(800) }] }, "'emails[1].value' is 800 bytes long"],
  ])('a %s over 768 UTF-8 bytes is invalidValue', (_title, body, detail) => {
    expect(() => normaliseResource(body, registry, 'User')).toThrow(expect.objectContaining({ scimType: 'invalidValue', detail: expect.stringContaining(detail) }));
  });

  it('admits 768 bytes exactly, in any script', () => {
    expect(() => normaliseResource({ userName: 'a'.repeat(768), displayName: '中'.repeat(256) }, registry, 'User')).not.toThrow();
    expect(() => normaliseResource({ displayName: '\u{1F600}'.repeat(192) }, registry, 'Group')).not.toThrow();
  });

  it.each(['constructor', '__proto__', 'prototype', 'toString'])('a key %s is an unknown attribute (invalidSyntax), at the top and inside a complex value', (key) => {
    expect(() => normaliseResource(JSON.parse(`{"userName":"a","${key}":{"x":1}}`), registry, 'User')).toThrow(expect.objectContaining({ scimType: 'invalidSyntax' }));
    expect(() => normaliseResource(JSON.parse(`{"userName":"a","name":{"${key}":"x"}}`), registry, 'User')).toThrow(expect.objectContaining({ scimType: 'invalidSyntax' }));
  });
});
