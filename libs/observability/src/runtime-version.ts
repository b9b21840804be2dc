/**
 * The Node.js runtime this process runs on, for the start banner and GET /health: the project pins one LTS line
 * (package.json "engines" and its `node` dependency) and an operator should see at a glance that it is in use.
 */
export function runtimeVersion(): { node: string } {
  return { node: process.versions.node };
}
