import { findSubAttribute, type AttributeDefinition } from './attribute-definition.js';
import { COMMON_ATTRIBUTES } from './common-attributes.js';
import { ENTERPRISE_USER_SCHEMA } from './enterprise-user.schema.js';
import { GROUP_SCHEMA } from './group.schema.js';
import { USER_SCHEMA } from './user.schema.js';

const byName = (attributes: readonly AttributeDefinition[], name: string): AttributeDefinition => {
  const found = attributes.find((attribute) => attribute.name === name);
  if (!found) throw new Error(`no attribute ${name}`);
  return found;
};

describe('core schemas as data (RFC 7643 §4, §8.7.1)', () => {
  it('RFC 7643 §4.1: User has every attribute of the core schema', () => {
    expect(USER_SCHEMA.attributes.map((attribute) => attribute.name)).toEqual([
      'userName', 'name', 'displayName', 'nickName', 'profileUrl', 'title', 'userType', 'preferredLanguage', 'locale',
      'timezone', 'active', 'password', 'emails', 'phoneNumbers', 'ims', 'photos', 'addresses', 'groups', 'entitlements',
      'roles', 'x509Certificates',
    ]);
  });

  type CharacteristicRow = [title: string, attribute: AttributeDefinition, expected: Partial<AttributeDefinition>];
  it.each<CharacteristicRow>([
    ['RFC 7643 §4.1.1 userName: required, unique per server, case-insensitive', byName(USER_SCHEMA.attributes, 'userName'),
      { type: 'string', required: true, caseExact: false, uniqueness: 'server', mutability: 'readWrite', returned: 'default' }],
    ['RFC 7643 §4.1.1 password: writeOnly, never returned', byName(USER_SCHEMA.attributes, 'password'),
      { mutability: 'writeOnly', returned: 'never' }],
    ['RFC 7643 §4.1.1 active: boolean', byName(USER_SCHEMA.attributes, 'active'), { type: 'boolean', multiValued: false }],
    ['RFC 7643 §4.1.1 profileUrl: external reference', byName(USER_SCHEMA.attributes, 'profileUrl'),
      { type: 'reference', referenceTypes: ['external'] }],
    ['RFC 7643 §4.1.2 emails: multi-valued complex', byName(USER_SCHEMA.attributes, 'emails'), { type: 'complex', multiValued: true }],
    ['RFC 7643 §4.1.2 groups: readOnly', byName(USER_SCHEMA.attributes, 'groups'), { mutability: 'readOnly', multiValued: true }],
    ['RFC 7643 §3.1 id: readOnly, always returned, case-exact', byName(COMMON_ATTRIBUTES, 'id'),
      { mutability: 'readOnly', returned: 'always', caseExact: true, uniqueness: 'server' }],
    ['RFC 7643 §3.1 externalId: case-exact, client-set, not unique ("the service provider does not enforce uniqueness")', byName(COMMON_ATTRIBUTES, 'externalId'),
      { mutability: 'readWrite', caseExact: true, uniqueness: 'none' }],
    ['RFC 7643 §3.1 meta: readOnly', byName(COMMON_ATTRIBUTES, 'meta'), { type: 'complex', mutability: 'readOnly', returned: 'always' }],
    ['RFC 7643 §4.2 Group displayName: required; unique per server here, as Entra matches groups by it', byName(GROUP_SCHEMA.attributes, 'displayName'),
      { type: 'string', required: true, caseExact: false, uniqueness: 'server' }],
    ['RFC 7643 §4.2 Group members: multi-valued complex', byName(GROUP_SCHEMA.attributes, 'members'), { type: 'complex', multiValued: true }],
    ['RFC 7643 §4.3 manager: singular complex', byName(ENTERPRISE_USER_SCHEMA.attributes, 'manager'), { type: 'complex', multiValued: false }],
  ])('%s', (_title, attribute, expected) => {
    expect(attribute).toMatchObject(expected);
  });

  type SubAttributeRow = [title: string, parent: AttributeDefinition, names: string[]];
  it.each<SubAttributeRow>([
    ['RFC 7643 §4.1.1 name', byName(USER_SCHEMA.attributes, 'name'), ['formatted', 'familyName', 'givenName', 'middleName', 'honorificPrefix', 'honorificSuffix']],
    ['RFC 7643 §4.1.2 emails', byName(USER_SCHEMA.attributes, 'emails'), ['value', 'display', 'type', 'primary']],
    ['RFC 7643 §4.1.2 addresses', byName(USER_SCHEMA.attributes, 'addresses'), ['formatted', 'streetAddress', 'locality', 'region', 'postalCode', 'country', 'type', 'primary']],
    ['RFC 7643 §4.1.2 groups', byName(USER_SCHEMA.attributes, 'groups'), ['value', '$ref', 'display', 'type']],
    ['RFC 7643 §4.2 members', byName(GROUP_SCHEMA.attributes, 'members'), ['value', '$ref', 'display', 'type']],
    ['RFC 7643 §4.3 manager', byName(ENTERPRISE_USER_SCHEMA.attributes, 'manager'), ['value', '$ref', 'displayName']],
    ['RFC 7643 §3.1 meta', byName(COMMON_ATTRIBUTES, 'meta'), ['resourceType', 'created', 'lastModified', 'location', 'version']],
  ])('%s sub-attributes', (_title, parent, names) => {
    expect(parent.subAttributes?.map((sub) => sub.name)).toEqual(names);
  });

  it('RFC 7643 §4.1.2 canonical types of emails and phoneNumbers', () => {
    expect(findSubAttribute(byName(USER_SCHEMA.attributes, 'emails'), 'TYPE')?.canonicalValues).toEqual(['work', 'home', 'other']);
    expect(findSubAttribute(byName(USER_SCHEMA.attributes, 'phoneNumbers'), 'type')?.canonicalValues).toEqual(['work', 'home', 'mobile', 'fax', 'pager', 'other']);
  });

  it('every sub-attribute of a readOnly attribute is readOnly too', () => {
    for (const sub of byName(USER_SCHEMA.attributes, 'groups').subAttributes ?? []) expect(sub.mutability).toBe('readOnly');
    for (const sub of byName(COMMON_ATTRIBUTES, 'meta').subAttributes ?? []) expect(sub.mutability).toBe('readOnly');
  });
});
