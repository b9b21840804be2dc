/**
 * The Node.js runtime this process runs on, for the start banner and GET /health: the project pins one LTS line
 * (package.json "engines" and its `node` dependency) and an operator should see at a glance that it is in use.
 */
export function runtimeVersion(): { node: string } {
  return { node: process.versions.node };
}

/**
 * The Node.js version the project pins: package.json's `node` devDependency (whose binary `npm start`, every npm
 * script and `npx node` run on), "engines" and the Dockerfile's base images. test/node-version.unit.spec.ts fails
 * when any of them says another version.
 */
export const PINNED_NODE_VERSION = '26.10.0';

/** The start banner's runtime line, e.g. "Node.js 26.10.0 (pinned 26.10.0)". */
export function runtimeBanner(running: string = process.versions.node): string {
  return `Node.js ${running} (pinned ${PINNED_NODE_VERSION})`;
}

/**
 * A warning when the process runs on an older major line than the pinned one, typically `node dist/...` typed in a
 * shell whose `node` is the system's (Debian's Node 20 here, past its end of life); null otherwise. A newer major
 * or another minor of the pinned line is not warned about.
 */
export function olderRuntimeWarning(running: string = process.versions.node, pinned: string = PINNED_NODE_VERSION): string | null {
  const major = (version: string) => Number.parseInt(version.replace(/^v/, '').split('.')[0] ?? '', 10);
  if (!(major(running) < major(pinned))) return null;
  return (
    `running on Node.js ${running}, older than the pinned ${pinned}: start with \`npm start\` (or \`npm run start:projector\`), ` +
    `or run a built entry point with \`npx node dist/...\` (node_modules/.bin/node), so it runs on ${pinned}`
  );
}
