import type { NestExpressApplication } from '@nestjs/platform-express';
import type { GatewayConfig } from '#config/gateway.config.js';
import { routeDryRun } from './dry-run/dry-run.middleware.js';
import { assignRequestId } from './http/request-context.js';
import { ScimExceptionFilter } from './http/scim-exception.filter.js';
import { provisioningLogMiddleware } from './provisioning-log/provisioning-log.middleware.js';
import { ProvisioningLogRecorder } from './provisioning-log/provisioning-log.recorder.js';
import { TokenService } from './tenancy/token.service.js';

/** HTTP settings shared by main.ts and the e2e tests, so tests exercise what production runs. */
export function configureGatewayApp(app: NestExpressApplication, config: Pick<GatewayConfig, 'maxBodyBytes'>): void {
  app.use(assignRequestId);
  // Before the body parser, so requests it refuses (invalid JSON, too large) are recorded too.
  const tokens = app.get(TokenService);
  app.use(provisioningLogMiddleware(app.get(ProvisioningLogRecorder), (token, now) => tokens.authenticate(token, now)));
  app.use(routeDryRun);
  // RFC 7644 §3.1: clients send application/scim+json; Entra and curl users often send application/json.
  app.useBodyParser('json', { type: ['application/scim+json', 'application/json'], limit: config.maxBodyBytes });
  app.useGlobalFilters(new ScimExceptionFilter());
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');
}
