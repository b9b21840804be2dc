import type { Provider } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '#config/gateway.config.js';
import { EVENT_STORE, type EventStore } from '#event-store/event-store.port.js';
import { AuditController } from '../audit/audit.controller.js';
import { AuditService } from '../audit/audit.service.js';
import { SchemaRegistries } from '../schemas/schema-registries.js';
import { SCIM_BASE_PATH } from '../scim-paths.js';
import type { AdminPart } from './admin.parts.js';

const providers: Provider[] = [
  {
    provide: AuditService,
    // Past states are presented as the SCIM API presents them now: with the tenant's schemas, at the SCIM base URL.
    useFactory: (store: EventStore, registries: SchemaRegistries, config: GatewayConfig) =>
      new AuditService(store, { registry: registries, baseUrl: `${config.publicBaseUrl}/${SCIM_BASE_PATH}` }),
    inject: [EVENT_STORE, SchemaRegistries, GATEWAY_CONFIG],
  },
];

/** The admin API's routes for history, asOf, export and verify (docs/audit.md). */
export const AUDIT_ADMIN: AdminPart = { controllers: [AuditController], providers };
