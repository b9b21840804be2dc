/**
 * SCIM errors carry their HTTP status and scimType (RFC 7644 §3.12); the gateway renders them in one place.
 * Pure: no framework imports.
 */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

export class ScimError extends Error {
  override readonly name: string = 'ScimError';
  constructor(
    readonly status: number,
    readonly scimType: ScimType | undefined,
    readonly detail: string,
  ) {
    super(detail);
  }

  /** The wire form (RFC 7644 §3.12): `status` is a string. */
  toJSON(): { schemas: string[]; status: string; scimType?: ScimType; detail: string } {
    return {
      schemas: [ERROR_SCHEMA],
      status: String(this.status),
      ...(this.scimType ? { scimType: this.scimType } : {}),
      detail: this.detail,
    };
  }
}

// One class per scimType (RFC 7644 §3.12, table 9), each with its status.
export class InvalidFilterError extends ScimError {
  constructor(detail: string) { super(400, 'invalidFilter', detail); }
}
export class TooManyError extends ScimError {
  constructor(detail: string) { super(400, 'tooMany', detail); }
}
export class UniquenessError extends ScimError {
  constructor(detail: string) { super(409, 'uniqueness', detail); }
}
export class MutabilityError extends ScimError {
  constructor(detail: string) { super(400, 'mutability', detail); }
}
export class InvalidSyntaxError extends ScimError {
  constructor(detail: string) { super(400, 'invalidSyntax', detail); }
}
export class InvalidPathError extends ScimError {
  constructor(detail: string) { super(400, 'invalidPath', detail); }
}
export class NoTargetError extends ScimError {
  constructor(detail: string) { super(400, 'noTarget', detail); }
}
export class InvalidValueError extends ScimError {
  constructor(detail: string) { super(400, 'invalidValue', detail); }
}
export class InvalidVersionError extends ScimError {
  constructor(detail: string) { super(400, 'invalidVers', detail); }
}
export class SensitiveError extends ScimError {
  constructor(detail: string) { super(403, 'sensitive', detail); }
}

// Errors without a scimType.
export class NotFoundError extends ScimError {
  constructor(detail: string) { super(404, undefined, detail); }
}
export class UnauthorizedError extends ScimError {
  constructor(detail: string) { super(401, undefined, detail); }
}
export class PreconditionFailedError extends ScimError {
  constructor(detail: string) { super(412, undefined, detail); }
}
export class PayloadTooLargeError extends ScimError {
  constructor(detail: string) { super(413, undefined, detail); }
}
/**
 * A known path asked with a method it does not serve (RFC 9110 §15.5.6): 405, with the methods it does serve for
 * the `Allow` header (RFC 9110 §10.2.1). RFC 7644 §3.12 gives it no scimType.
 */
export class MethodNotAllowedError extends ScimError {
  constructor(
    method: string,
    path: string,
    readonly allowedMethods: readonly string[],
  ) {
    super(405, undefined, `${method} is not supported on ${path}; it allows ${allowedMethods.join(', ')}`);
  }
}
export class NotImplementedError extends ScimError {
  constructor(detail: string) { super(501, undefined, detail); }
}
