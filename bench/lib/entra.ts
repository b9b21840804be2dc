/** Request bodies shaped as Microsoft Entra ID sends them (../shared/ENTRA.md "Request shapes"). */

export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

const GIVEN = ['Ann', 'Bob', 'Chloé', 'Dev', 'Eva', 'Finn', 'Grace', 'Hiro', 'Ines', 'Jon', 'Kai', 'Lena'];
const FAMILY = ['Smith', 'Okafor', 'Müller', 'García', 'Tanaka', 'Nowak', 'Rossi', 'Dubois', 'Larsen', 'Khan'];
const DEPARTMENTS = ['Sales', 'Engineering', 'Finance', 'Support', 'Legal', 'Marketing'];

export interface BenchUserKeys {
  readonly userName: string;
  readonly externalId: string;
  readonly workEmail: string;
}

/** A POST /Users body as Entra's default attribute mappings produce it. */
export function entraUserBody(n: number, keys: BenchUserKeys): Record<string, unknown> {
  const given = GIVEN[n % GIVEN.length];
  const family = FAMILY[Math.floor(n / GIVEN.length) % FAMILY.length];
  return {
    schemas: [CORE_USER, ENTERPRISE_USER],
    externalId: keys.externalId,
    userName: keys.userName,
    active: true,
    displayName: `${given} ${family} ${n}`,
    title: 'Account Executive',
    preferredLanguage: 'en-GB',
    emails: [{ primary: true, type: 'work', value: keys.workEmail }],
    name: { formatted: `${given} ${family}`, familyName: family, givenName: given },
    phoneNumbers: [
      { type: 'work', value: `+44 20 7946 ${String(n % 10_000).padStart(4, '0')}` },
      { type: 'mobile', value: `+44 7700 9${String(n % 100_000).padStart(5, '0')}` },
    ],
    addresses: [{ type: 'work', streetAddress: `${1 + (n % 200)} Contoso Way`, locality: 'London', postalCode: 'EC1A 1BB', country: 'GB', primary: true }],
    roles: [],
    meta: { resourceType: 'User' },
    [ENTERPRISE_USER]: { employeeNumber: String(100_000 + n), department: DEPARTMENTS[n % DEPARTMENTS.length], costCenter: `CC-${n % 50}` },
  };
}

export function entraManagerPatch(managerId: string): Record<string, unknown> {
  return { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'manager', value: [{ $ref: `../Users/${managerId}`, value: managerId }] }] };
}

export function entraGroupBody(displayName: string, externalId: string): Record<string, unknown> {
  return { schemas: [CORE_GROUP], externalId, displayName, meta: { resourceType: 'Group' } };
}

export function entraAddMembersPatch(memberIds: readonly string[]): Record<string, unknown> {
  return { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: memberIds.map((value) => ({ $ref: null, value })) }] };
}
