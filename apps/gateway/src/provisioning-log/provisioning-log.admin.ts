import type { AdminPart } from '../admin/admin.parts.js';
import { ProvisioningLogController } from './provisioning-log.controller.js';
import { ProvisioningLogRecorder } from './provisioning-log.recorder.js';
import { ProvisioningLogRetention } from './provisioning-log.retention.js';
import { ProvisioningLogStore } from './provisioning-log.store.js';

/**
 * The admin API's routes for the provisioning log, and the providers behind the log itself: the recorder (its
 * middleware is installed by configureGatewayApp) and retention.
 */
export const PROVISIONING_LOG_ADMIN: AdminPart = {
  controllers: [ProvisioningLogController],
  providers: [ProvisioningLogStore, ProvisioningLogRecorder, ProvisioningLogRetention],
};
