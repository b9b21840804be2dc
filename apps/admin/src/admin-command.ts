import type { AdminClient } from './admin-client.js';

/** `npm run admin -- <group> <action> [positional...] [--flag value | --flag]`, parsed. */
export interface ParsedArguments {
  readonly positional: readonly string[];
  readonly flags: ReadonlyMap<string, string | true>;
}

export interface CommandOutput {
  out(text: string): void;
  /** Raw bytes to stdout (streamed exports). */
  write(chunk: Uint8Array): Promise<void> | void;
}

export interface AdminCommand {
  /** e.g. "tenants create". */
  readonly name: string;
  /** e.g. "tenants create <tenantId> [--display-name <text>]". */
  readonly usage: string;
  readonly summary: string;
  run(args: ParsedArguments, client: AdminClient, output: CommandOutput): Promise<void>;
}

export function parseArguments(argv: readonly string[]): ParsedArguments {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index];
    if (argument.startsWith('--')) {
      const [name, inline] = argument.slice(2).split(/=(.*)/s, 2);
      if (inline !== undefined) flags.set(name, inline);
      else if (index + 1 < argv.length && !argv[index + 1].startsWith('--')) flags.set(name, argv[++index]);
      else flags.set(name, true);
    } else positional.push(argument);
  }
  return { positional, flags };
}

/** A flag's text value, or undefined; `--flag` without a value is a usage error. */
export function flagText(args: ParsedArguments, name: string): string | undefined {
  const value = args.flags.get(name);
  if (value === true) throw new UsageError(`--${name} needs a value`);
  return value;
}

export function requiredPositional(args: ParsedArguments, index: number, what: string): string {
  const value = args.positional[index];
  if (value === undefined) throw new UsageError(`missing ${what}`);
  return value;
}

export class UsageError extends Error {}

/**
 * The command ran and printed its result, but the result is a failure the exit code must show (e.g. `audit verify`
 * found a broken chain): runAdminCli prints the message, if any, and exits 1.
 */
export class CommandFailed extends Error {}
