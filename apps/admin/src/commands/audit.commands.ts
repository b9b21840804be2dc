import type { AdminCommand } from '../admin-command.js';

export const AUDIT_COMMANDS: readonly AdminCommand[] = [];
