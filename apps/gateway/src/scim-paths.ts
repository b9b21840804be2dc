/** Where SCIM lives on this server (RFC 7644 §3.13: the version is in the path). */
export const SCIM_BASE_PATH = 'scim/v2';
