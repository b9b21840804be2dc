import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ConsoleAsset {
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};
/** The console is a few dozen small files; a tree much larger than this is not the console's build. */
const MAX_ASSET_BYTES = 8 * 1024 * 1024;

/**
 * The console's built files (npm run build writes them to dist/console), held in memory: they are small, and a
 * request can then name only a file that exists (no path from the URL reaches the file system).
 */
export class ConsoleAssets {
  private constructor(
    private readonly files: ReadonlyMap<string, ConsoleAsset>,
    readonly directory: string,
  ) {}

  static load(directory: string = defaultConsoleDirectory()): ConsoleAssets {
    const files = new Map<string, ConsoleAsset>();
    if (!existsSync(directory)) return new ConsoleAssets(files, directory);
    let total = 0;
    const walk = (dir: string, prefix: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          walk(full, `${prefix}${entry.name}/`);
          continue;
        }
        const contentType = CONTENT_TYPES[path.extname(entry.name)];
        if (!entry.isFile() || !contentType) continue;
        total += statSync(full).size;
        if (total > MAX_ASSET_BYTES) throw new Error(`${directory} holds more than ${MAX_ASSET_BYTES} bytes: not the console's build`);
        const body = readFileSync(full);
        files.set(`${prefix}${entry.name}`, { body, contentType, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
      }
    };
    walk(directory, '');
    return new ConsoleAssets(files, directory);
  }

  get(name: string): ConsoleAsset | undefined {
    return this.files.get(name);
  }

  /** False when npm run build has not been run (the console answers 503 saying so). */
  get built(): boolean {
    return this.files.has('main.js');
  }
}

/** dist/console under the project root (the directory holding package.json), from source or from dist alike. */
export function defaultConsoleDirectory(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return path.join(dir, 'dist', 'console');
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve('dist', 'console');
    dir = parent;
  }
}
