import type { Provider, Type } from '@nestjs/common';

/** One area of the admin API (tenants and tokens, audit, provisioning log): its controllers and what they need. */
export interface AdminPart {
  readonly controllers: readonly Type[];
  readonly providers: readonly Provider[];
}
