import { weakEtag } from '#scim/resource/etag.js';
import { selectAttributes, type AttributeSelection } from '#scim/resource/attribute-selection.js';
import type { SchemaRegistry } from '#scim/schema/schema.registry.js';
import { USER_SCHEMA_ID } from '#scim/schema/user.schema.js';

export interface UserSnapshot {
  readonly id: string;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly version: bigint;
  readonly createdAt: string;
  readonly lastModifiedAt: string;
  /** RFC 7643 §4.1.2, read from the group members; undefined when not read (not asked for, or a write's answer). */
  readonly groups?: readonly { readonly value: string; readonly display: string; readonly type: string }[];
}

/**
 * RFC 7643 §3.1: the representation adds `id` and `meta`; meta.version is the stream revision as a weak ETag.
 * Then `attributes` / `excludedAttributes` and `returned` decide what the client sees (RFC 7644 §3.4.2.5, §3.9).
 */
export function presentUser(user: UserSnapshot, baseUrl: string, registry: SchemaRegistry, selection: AttributeSelection = {}): Record<string, unknown> {
  const { schemas, ...attributes } = user.attributes as { schemas?: string[] } & Record<string, unknown>;
  const representation = {
    schemas: schemas ?? [USER_SCHEMA_ID],
    id: user.id,
    ...attributes,
    ...(user.groups && user.groups.length > 0
      ? { groups: user.groups.map((group) => ({ value: group.value, $ref: `${baseUrl}/Groups/${group.value}`, display: group.display, type: group.type })) }
      : {}),
    meta: {
      resourceType: 'User',
      created: user.createdAt,
      lastModified: user.lastModifiedAt,
      location: `${baseUrl}/Users/${user.id}`,
      version: weakEtag(user.version),
    },
  };
  return selectAttributes(representation, registry, 'User', selection);
}
