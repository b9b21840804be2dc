import type { GroupMember } from '#domain/group/group.events.js';
import { weakEtag } from '#scim/resource/etag.js';
import { selectAttributes, type AttributeSelection } from '#scim/resource/attribute-selection.js';
import { GROUP_SCHEMA_ID } from '#scim/schema/group.schema.js';
import type { SchemaRegistry } from '#scim/schema/schema.registry.js';

export interface GroupSnapshot {
  readonly id: string;
  readonly attributes: Readonly<Record<string, unknown>>;
  /** undefined: members were not loaded (not asked for). */
  readonly members?: readonly { readonly value: string; readonly type?: string | null; readonly display?: string | null }[];
  readonly version: bigint;
  readonly createdAt: string;
  readonly lastModifiedAt: string;
}

/** RFC 7643 §4.2: members carry value, $ref (computed from the base URL), type and display. */
export function presentGroup(group: GroupSnapshot, baseUrl: string, registry: SchemaRegistry, selection: AttributeSelection = {}): Record<string, unknown> {
  const { schemas, ...attributes } = group.attributes as { schemas?: string[] } & Record<string, unknown>;
  const representation = {
    schemas: schemas ?? [GROUP_SCHEMA_ID],
    id: group.id,
    ...attributes,
    ...(group.members !== undefined
      ? {
          members: group.members.map((member) => ({
            value: member.value,
            $ref: `${baseUrl}/${member.type === 'Group' ? 'Groups' : 'Users'}/${member.value}`,
            ...(member.type ? { type: member.type } : {}),
            ...(member.display ? { display: member.display } : {}),
          })),
        }
      : {}),
    meta: {
      resourceType: 'Group',
      created: group.createdAt,
      lastModified: group.lastModifiedAt,
      location: `${baseUrl}/Groups/${group.id}`,
      version: weakEtag(group.version),
    },
  };
  return selectAttributes(representation, registry, 'Group', selection);
}

/**
 * Whether a response will show `members`, so the members table is read only then: not for
 * `excludedAttributes=members` (what Entra sends), nor for an `attributes` list that leaves them out.
 */
export function membersRequested(selection: AttributeSelection): boolean {
  const names = (list: string | readonly string[] | undefined) =>
    (typeof list === 'string' ? list.split(',') : (list ?? [])).map((name) => name.trim().toLowerCase().replace(`${GROUP_SCHEMA_ID.toLowerCase()}:`, ''));
  const isMembers = (name: string) => name === 'members' || name.startsWith('members.');
  if (selection.attributes !== undefined && selection.attributes !== '') return names(selection.attributes).some(isMembers);
  return !names(selection.excludedAttributes).some((name) => name === 'members');
}

export function membersOf(list: readonly GroupMember[]): GroupSnapshot['members'] {
  return list.map((member) => ({ value: member.value, type: member.type ?? null, display: member.display ?? null }));
}
