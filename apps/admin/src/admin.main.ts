import { AdminApiError, AdminClient } from './admin-client.js';
import { CommandFailed, parseArguments, UsageError, type AdminCommand, type CommandOutput } from './admin-command.js';
import { AUDIT_COMMANDS } from './commands/audit.commands.js';
import { PROVISIONING_LOG_COMMANDS } from './commands/provisioning-log.commands.js';
import { SCHEMA_COMMANDS } from './commands/schemas.commands.js';
import { TENANT_COMMANDS } from './commands/tenants.commands.js';

export const ADMIN_COMMANDS: readonly AdminCommand[] = [...TENANT_COMMANDS, ...SCHEMA_COMMANDS, ...AUDIT_COMMANDS, ...PROVISIONING_LOG_COMMANDS];

function help(): string {
  return [
    'usage: npm run admin -- <command> [arguments]   (ADMIN_URL, default http://127.0.0.1:$PORT or :3000; ADMIN_TOKEN required)',
    '',
    ...ADMIN_COMMANDS.map((command) => `  ${command.usage.padEnd(70)} ${command.summary}`),
  ].join('\n');
}

/** Runs one CLI invocation; returns the process exit code (0 done, 1 refused by the API or a failed check, 2 usage or setup error). */
export async function runAdminCli(argv: readonly string[], env: NodeJS.ProcessEnv, output: CommandOutput, fetchImpl?: typeof fetch): Promise<number> {
  const args = parseArguments(argv);
  const [group, action] = args.positional;
  if (group === undefined || group === 'help' || args.flags.has('help')) {
    output.out(help());
    return group === undefined ? 2 : 0;
  }
  const command = ADMIN_COMMANDS.find((candidate) => candidate.name === `${group} ${action ?? ''}`.trim());
  if (!command) {
    output.out(`unknown command "${[group, action].filter(Boolean).join(' ')}"\n\n${help()}`);
    return 2;
  }
  const token = env.ADMIN_TOKEN?.trim();
  if (!token) {
    output.out('ADMIN_TOKEN is not set: use the admin token the gateway printed on its first start, or the one you set in ADMIN_TOKEN');
    return 2;
  }
  const baseUrl = env.ADMIN_URL?.trim() || `http://127.0.0.1:${env.PORT?.trim() || '3000'}`;
  const rest = { positional: args.positional.slice(2), flags: args.flags };
  try {
    await command.run(rest, new AdminClient(baseUrl, token, fetchImpl), output);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      output.out(`${error.message}\nusage: npm run admin -- ${command.usage}`);
      return 2;
    }
    if (error instanceof CommandFailed) {
      if (error.message) output.out(error.message);
      return 1;
    }
    if (error instanceof AdminApiError) {
      const body = error.body as { detail?: string } | null;
      output.out(`refused (${error.status}): ${body?.detail ?? JSON.stringify(error.body)}`);
      return 1;
    }
    output.out((error as Error).message);
    return 2;
  }
}

const isMain = process.argv[1]?.endsWith('admin.main.js');
if (isMain) {
  const output: CommandOutput = {
    out: (text) => console.log(text),
    write: (chunk) =>
      new Promise<void>((resolve, reject) => {
        process.stdout.write(chunk, (error) => (error ? reject(error) : resolve()));
      }),
  };
  runAdminCli(process.argv.slice(2), process.env, output).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(2);
    },
  );
}
