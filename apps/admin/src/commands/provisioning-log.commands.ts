import type { AdminCommand } from '../admin-command.js';

export const PROVISIONING_LOG_COMMANDS: readonly AdminCommand[] = [];
