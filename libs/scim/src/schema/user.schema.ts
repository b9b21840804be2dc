import { defineAttribute, type AttributeDefinition, type AttributeType } from './attribute-definition.js';
import type { SchemaDefinition } from './schema.definition.js';

export const USER_SCHEMA_ID = 'urn:ietf:params:scim:schemas:core:2.0:User';

const text = (name: string, description: string, extra: Partial<AttributeDefinition> = {}): AttributeDefinition =>
  defineAttribute({ name, type: 'string', description, ...extra });

/**
 * The usual shape of a multi-valued attribute (RFC 7643 §2.4): `value`, `display`, `type` and `primary`.
 */
function multiValuedWithType(
  name: string,
  description: string,
  value: { type: AttributeType; description: string; referenceTypes?: readonly string[]; caseExact?: boolean },
  typeValues: readonly string[] | undefined,
): AttributeDefinition {
  return defineAttribute({
    name,
    type: 'complex',
    multiValued: true,
    description,
    subAttributes: [
      defineAttribute({ name: 'value', ...value }),
      text('display', 'A human-readable name, primarily used for display purposes.'),
      text('type', `A label indicating the function of the ${name} value.`, typeValues ? { canonicalValues: typeValues } : {}),
      defineAttribute({
        name: 'primary',
        type: 'boolean',
        description: 'Whether this value is the preferred one; true at most once (RFC 7643 §2.4).',
      }),
    ],
  });
}

/** RFC 7643 §4.1 and the representation in §8.7.1. */
export const USER_SCHEMA: SchemaDefinition = {
  id: USER_SCHEMA_ID,
  name: 'User',
  description: 'User Account',
  attributes: [
    text('userName', 'Unique identifier for the User, used to authenticate; unique per service provider, case-insensitively.', {
      required: true,
      uniqueness: 'server',
    }),
    defineAttribute({
      name: 'name',
      type: 'complex',
      description: "The components of the user's real name.",
      subAttributes: [
        text('formatted', 'The full name, formatted for display.'),
        text('familyName', 'The family name of the User.'),
        text('givenName', 'The given name of the User.'),
        text('middleName', 'The middle name(s) of the User.'),
        text('honorificPrefix', "The honorific prefix(es) of the User, e.g. 'Ms.'."),
        text('honorificSuffix', "The honorific suffix(es) of the User, e.g. 'III'."),
      ],
    }),
    text('displayName', 'The name of the User, suitable for display to end-users.'),
    text('nickName', 'The casual way to address the user.'),
    defineAttribute({
      name: 'profileUrl',
      type: 'reference',
      referenceTypes: ['external'],
      description: "A fully qualified URL pointing to a page representing the User's online profile.",
    }),
    text('title', "The user's title, such as 'Vice President'."),
    text('userType', "The relationship between the organization and the user, e.g. 'Employee'."),
    text('preferredLanguage', "The User's preferred written or spoken language (RFC 7231 Accept-Language)."),
    text('locale', "The User's default location for localizing, e.g. 'en-US'."),
    text('timezone', "The User's time zone in the IANA Time Zone database format, e.g. 'America/Los_Angeles'."),
    defineAttribute({ name: 'active', type: 'boolean', description: "The User's administrative status." }),
    text('password', "The User's cleartext password; write-only, never returned (RFC 7643 §4.1.1).", {
      mutability: 'writeOnly',
      returned: 'never',
    }),
    multiValuedWithType(
      'emails',
      'Email addresses for the user.',
      { type: 'string', description: 'Email address for the user, canonicalized per RFC 5321.' },
      ['work', 'home', 'other'],
    ),
    multiValuedWithType(
      'phoneNumbers',
      'Phone numbers for the User.',
      { type: 'string', description: 'Phone number of the User, canonicalized per RFC 3966.' },
      ['work', 'home', 'mobile', 'fax', 'pager', 'other'],
    ),
    multiValuedWithType(
      'ims',
      'Instant messaging addresses for the User.',
      { type: 'string', description: 'Instant messaging address for the User.' },
      ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo'],
    ),
    multiValuedWithType(
      'photos',
      'URLs of photos of the User.',
      { type: 'reference', referenceTypes: ['external'], description: 'URL of a photo of the User.' },
      ['photo', 'thumbnail'],
    ),
    defineAttribute({
      name: 'addresses',
      type: 'complex',
      multiValued: true,
      description: 'A physical mailing address for this User.',
      subAttributes: [
        text('formatted', 'The full mailing address, formatted for display.'),
        text('streetAddress', 'The full street address component.'),
        text('locality', 'The city or locality component.'),
        text('region', 'The state or region component.'),
        text('postalCode', 'The zip code or postal code component.'),
        text('country', 'The country name component, ISO 3166-1 alpha-2.'),
        text('type', 'A label indicating the function of the address.', { canonicalValues: ['work', 'home', 'other'] }),
        // RFC 7643 §4.1.2 lists `primary` for addresses although the §8.7.1 representation omits it.
        defineAttribute({ name: 'primary', type: 'boolean', description: 'Whether this is the primary address.' }),
      ],
    }),
    defineAttribute({
      name: 'groups',
      type: 'complex',
      multiValued: true,
      description: 'Groups the user belongs to, directly or indirectly; maintained by the service provider.',
      mutability: 'readOnly',
      subAttributes: [
        text('value', 'The id of the Group.', { mutability: 'readOnly', caseExact: true }),
        defineAttribute({
          name: '$ref',
          type: 'reference',
          referenceTypes: ['User', 'Group'],
          description: 'The URI of the Group.',
          mutability: 'readOnly',
        }),
        text('display', "The group's display name.", { mutability: 'readOnly' }),
        text('type', "How the membership came about: 'direct' or 'indirect'.", {
          canonicalValues: ['direct', 'indirect'],
          mutability: 'readOnly',
        }),
      ],
    }),
    multiValuedWithType(
      'entitlements',
      'Entitlements the User has.',
      { type: 'string', description: 'The value of an entitlement.' },
      undefined,
    ),
    // Entra sends role values as stringified JSON; a string attribute keeps them as they are.
    multiValuedWithType('roles', 'Roles the User has.', { type: 'string', description: 'The value of a role.' }, undefined),
    multiValuedWithType(
      'x509Certificates',
      'X.509 certificates issued to the User.',
      // RFC 7643 §2.3.6: binary values are case-exact.
      { type: 'binary', description: 'The DER-encoded certificate, base64-encoded.', caseExact: true },
      undefined,
    ),
  ],
};
