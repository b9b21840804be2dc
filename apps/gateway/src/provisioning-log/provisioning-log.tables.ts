import { CreateProvisioningLog1763900005000 } from './migrations/1763900005000-create-provisioning-log.js';
import { AddProvisioningLogSkippedMembers1763900013400 } from './migrations/1763900013400-add-provisioning-log-skipped-members.js';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const PROVISIONING_LOG_MIGRATIONS: Function[] = [CreateProvisioningLog1763900005000, AddProvisioningLogSkippedMembers1763900013400];
