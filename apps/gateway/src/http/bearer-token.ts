/** The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1), or null. */
export function bearerTokenOf(header: string | undefined): string | null {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match ? match[1] : null;
}
