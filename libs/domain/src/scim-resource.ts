/**
 * A SCIM resource's attributes as validated JSON (libs/scim normalises them): core attributes at the top level,
 * extension attributes under their schema URN. `id` and `meta` are not stored here: they come from the stream.
 */
export type ScimAttributes = Readonly<Record<string, unknown>>;
