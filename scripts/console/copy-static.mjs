// npm run build: the console's stylesheet next to its compiled modules in dist/console (served at /console/assets/).
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const from = path.join(root, 'apps/console/static');
const to = path.join(root, 'dist/console');
mkdirSync(to, { recursive: true });
for (const name of readdirSync(from)) copyFileSync(path.join(from, name), path.join(to, name));
