import { INTERACT_EXTENSIONS } from '../../test-fixtures/interact-extension.test-support.js';
import { BARBARA_JENSEN, TOUR_GUIDES_GROUP } from '../../test-fixtures/rfc7643-users.test-support.js';
import { SchemaRegistry } from '../schema/schema.registry.js';
import { InvalidPathError } from '../scim-error.js';
import { selectAttributes, returnsAttribute, type AttributeSelection } from './attribute-selection.js';

const registry = new SchemaRegistry(INTERACT_EXTENSIONS);
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const { schemas, id, meta } = BARBARA_JENSEN;
const ALWAYS = { schemas, id, meta };
const { password: _password, ...WITHOUT_PASSWORD } = BARBARA_JENSEN;

type Row = [title: string, options: AttributeSelection, expected: Record<string, unknown>];

describe('selectAttributes (RFC 7644 §3.4.2.5, RFC 7643 §2.4 returned)', () => {
  it.each<Row>([
    ['no lists: every default attribute, never password (RFC 7643 §4.1.1)', {}, WITHOUT_PASSWORD],
    ['RFC 7644 §3.4.2.5: attributes=userName returns it plus the always-returned ones', { attributes: 'userName' }, { ...ALWAYS, userName: BARBARA_JENSEN.userName }],
    ['attributes are case-insensitive', { attributes: 'USERNAME,DisplayName' }, { ...ALWAYS, userName: BARBARA_JENSEN.userName, displayName: BARBARA_JENSEN.displayName }],
    ['attributes as an array of lists', { attributes: ['userName', ' nickName , title '] },
      { ...ALWAYS, userName: BARBARA_JENSEN.userName, nickName: 'Babs', title: 'Tour Guide' }],
    ['a sub-attribute path returns only that sub-attribute', { attributes: 'name.familyName,emails.value' },
      { ...ALWAYS, name: { familyName: 'Jensen' }, emails: [{ value: 'bjensen@example.com' }, { value: 'babs@jensen.org' }] }],
    ['a complex attribute named whole brings its sub-attributes', { attributes: 'name' }, { ...ALWAYS, name: BARBARA_JENSEN.name }],
    ['URN-qualified core attribute', { attributes: 'urn:ietf:params:scim:schemas:core:2.0:User:userName' }, { ...ALWAYS, userName: BARBARA_JENSEN.userName }],
    ['URN-qualified extension attribute', { attributes: `${ENTERPRISE}:employeeNumber` }, { ...ALWAYS, [ENTERPRISE]: { employeeNumber: '701984' } }],
    ['URN-qualified extension sub-attribute', { attributes: `${ENTERPRISE}:manager.value` },
      { ...ALWAYS, [ENTERPRISE]: { manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d' } } }],
    ['an extension URN names all its attributes', { attributes: ENTERPRISE }, { ...ALWAYS, [ENTERPRISE]: BARBARA_JENSEN[ENTERPRISE] }],
    ['password is never returned, even when asked for', { attributes: 'password,userName' }, { ...ALWAYS, userName: BARBARA_JENSEN.userName }],
    ['unknown names are ignored', { attributes: 'shoeSize,userName' }, { ...ALWAYS, userName: BARBARA_JENSEN.userName }],
    ['excluding always-returned attributes has no effect', { attributes: 'userName', excludedAttributes: 'id,meta,schemas' }, { ...ALWAYS, userName: BARBARA_JENSEN.userName }],
    ['both lists: excludedAttributes removes from attributes', { attributes: 'userName,name', excludedAttributes: 'name.givenName' },
      { ...ALWAYS, userName: BARBARA_JENSEN.userName, name: (({ givenName: _g, ...rest }) => rest)(BARBARA_JENSEN.name) }],
  ])('%s', (_title, options, expected) => {
    expect(selectAttributes(BARBARA_JENSEN, registry, 'User', options)).toEqual(expected);
  });

  it.each<Row>([
    ['excludedAttributes removes a default attribute', { excludedAttributes: 'emails' }, (({ emails: _e, ...rest }) => rest)(WITHOUT_PASSWORD)],
    ['excludedAttributes with a sub-attribute path removes only that sub-attribute', { excludedAttributes: 'emails.type' },
      { ...WITHOUT_PASSWORD, emails: [{ value: 'bjensen@example.com', primary: true }, { value: 'babs@jensen.org' }] }],
    ['excluding an extension attribute', { excludedAttributes: `${ENTERPRISE}:manager` },
      { ...WITHOUT_PASSWORD, [ENTERPRISE]: (({ manager: _m, ...rest }) => rest)(BARBARA_JENSEN[ENTERPRISE]) }],
    ['excluding a whole extension by URN drops its object', { excludedAttributes: ENTERPRISE }, (({ [ENTERPRISE]: _x, ...rest }) => rest)(WITHOUT_PASSWORD)],
  ])('%s', (_title, options, expected) => {
    expect(selectAttributes(BARBARA_JENSEN, registry, 'User', options)).toEqual(expected);
  });

  it('ENTRA.md: excludedAttributes=members drops a group\'s members', () => {
    const { members: _members, ...withoutMembers } = TOUR_GUIDES_GROUP;
    expect(selectAttributes(TOUR_GUIDES_GROUP, registry, 'Group', { excludedAttributes: 'members' })).toEqual(withoutMembers);
    expect(selectAttributes(TOUR_GUIDES_GROUP, registry, 'Group', { excludedAttributes: 'Members' })).toEqual(withoutMembers);
  });

  it('request-returned attributes appear only when named (RFC 7643 §7)', () => {
    const custom = new SchemaRegistry([
      { resourceType: 'User', schema: { id: 'urn:example:Secrets:2.0:User', attributes: [{ name: 'pin', type: 'string', returned: 'request' }, { name: 'hint', type: 'string' }] } },
    ]);
    const user = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id: 'u', userName: 'a', 'urn:example:Secrets:2.0:User': { pin: '1234', hint: 'h' } };
    expect(selectAttributes(user, custom, 'User')).toEqual({ ...user, 'urn:example:Secrets:2.0:User': { hint: 'h' } });
    expect(selectAttributes(user, custom, 'User', { attributes: 'urn:example:Secrets:2.0:User:pin' })).toEqual({
      schemas: user.schemas,
      id: 'u',
      'urn:example:Secrets:2.0:User': { pin: '1234' },
    });
  });

  it('does not modify the resource', () => {
    const copy = structuredClone(BARBARA_JENSEN);
    selectAttributes(copy, registry, 'User', { attributes: 'userName', excludedAttributes: 'emails.value' });
    expect(copy).toEqual(BARBARA_JENSEN);
  });

  it('a malformed name is invalidPath', () => {
    expect(() => selectAttributes(BARBARA_JENSEN, registry, 'User', { attributes: 'emails[type eq "work"]' })).toThrow(InvalidPathError);
  });
});

describe('returnsAttribute: whether a computed attribute (a User\'s groups) is worth reading', () => {
  it.each<[AttributeSelection, boolean]>([
    [{}, true], // returned: default
    [{ excludedAttributes: 'groups' }, false],
    [{ excludedAttributes: 'GROUPS,emails' }, false],
    [{ excludedAttributes: 'groups.display' }, true], // only a sub-attribute is left out
    [{ attributes: 'userName' }, false],
    [{ attributes: 'userName,groups' }, true],
    [{ attributes: 'groups.value' }, true],
    [{ attributes: 'urn:ietf:params:scim:schemas:core:2.0:User:groups' }, true],
  ])('%j → %s', (options, expected) => {
    expect(returnsAttribute(registry, 'User', options, 'groups')).toBe(expected);
  });

  it('agrees with selectAttributes on the same options', () => {
    for (const options of [{}, { excludedAttributes: 'groups' }, { attributes: 'userName' }, { attributes: 'groups' }] as AttributeSelection[]) {
      const selected = selectAttributes({ ...BARBARA_JENSEN, groups: [{ value: 'g', display: 'G', type: 'direct' }] }, registry, 'User', options);
      expect('groups' in selected).toBe(returnsAttribute(registry, 'User', options, 'groups'));
    }
  });

  it('is false for a name the core schema does not define', () => {
    expect(returnsAttribute(registry, 'User', {}, 'nonsense')).toBe(false);
  });
});
