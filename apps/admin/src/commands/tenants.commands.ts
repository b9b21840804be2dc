import type { AdminCommand } from '../admin-command.js';

export const TENANT_COMMANDS: readonly AdminCommand[] = [];
