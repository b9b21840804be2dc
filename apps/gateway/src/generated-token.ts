import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface GeneratedToken {
  /** The variable that sets this token instead of generating it. */
  readonly variable: 'SCIM_BEARER_TOKEN' | 'ADMIN_TOKEN';
  /** "its SCIM bearer token (Entra "Secret Token")", as the start-up lines name it. */
  readonly description: string;
  readonly token: string;
}

export interface TokenHandOver {
  /** process.stdout.isTTY: a person is reading. */
  readonly terminal: boolean;
  /** Where the file goes when no person is reading (DATA_DIR). */
  readonly dataDir: string;
  readonly logger: { log(message: string, fields?: Record<string, unknown>): void; error(message: string, fields?: Record<string, unknown>): void };
  /** Writes to the terminal (process.stdout.write). */
  readonly print: (text: string) => void;
}

/** The file a generated token is written to when stdout is not a terminal: DATA_DIR/scim-bearer-token, DATA_DIR/admin-token. */
export function generatedTokenFile(dataDir: string, variable: GeneratedToken['variable']): string {
  return path.resolve(dataDir, variable === 'ADMIN_TOKEN' ? 'admin-token' : 'scim-bearer-token');
}

/**
 * A token generated at first start exists in clear only here (its SHA-256 is stored), so it must reach the
 * operator without entering a log pipeline. On a terminal it is printed, as it always was. Otherwise (a container,
 * a service manager, CI, `npm start > file`: stdout goes somewhere logs are kept) it is written to a file in
 * DATA_DIR that only this user can read (0600), and the log says where.
 */
export async function handOverGeneratedToken(generated: GeneratedToken, handOver: TokenHandOver): Promise<void> {
  if (handOver.terminal) {
    handOver.logger.log(`${generated.description}, shown only this once:`);
    handOver.print(`\n    ${generated.token}\n\n`);
    return;
  }
  const file = generatedTokenFile(handOver.dataDir, generated.variable);
  try {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    // A token file left by an earlier first start (a new database) is replaced; `wx` creates the file afresh with
    // mode 0600 and refuses to follow a symbolic link planted in its place.
    await rm(file, { force: true });
    await writeFile(file, `${generated.token}\n`, { mode: 0o600, flag: 'wx' });
    handOver.logger.log(
      `${generated.description} is in ${file} (readable only by this user; stdout is not a terminal, so it is not printed): ` +
        `store it where you keep secrets and delete the file; it is not shown again (${generated.variable} sets one instead)`,
      { tokenFile: file },
    );
  } catch (error) {
    handOver.logger.error(
      `${generated.description} could not be written to ${file} (${error instanceof Error ? error.message : String(error)}) and is not shown ` +
        `anywhere else: set ${generated.variable} (at least 16 characters) and restart to register a token of your choosing`,
      { tokenFile: file },
    );
  }
}
