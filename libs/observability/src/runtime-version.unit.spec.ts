import { describe, expect, it } from '@jest/globals';
import { olderRuntimeWarning, PINNED_NODE_VERSION, runtimeBanner, runtimeVersion } from './runtime-version.js';

describe('runtime version', () => {
  it('reports the Node.js version of this process', () => {
    expect(runtimeVersion()).toEqual({ node: process.versions.node });
    expect(runtimeBanner('26.10.0')).toBe(`Node.js 26.10.0 (pinned ${PINNED_NODE_VERSION})`);
  });

  it('warns on an older major line, naming the pinned version and how to run on it', () => {
    const warning = olderRuntimeWarning('20.20.2', '26.10.0');
    expect(warning).toContain('Node.js 20.20.2, older than the pinned 26.10.0');
    expect(warning).toContain('npm start');
    expect(warning).toContain('npx node dist/');
    expect(olderRuntimeWarning('v24.21.0', '26.10.0')).toContain('24.21.0');
  });

  it('does not warn on the pinned line or a newer one', () => {
    expect(olderRuntimeWarning('26.10.0', '26.10.0')).toBeNull();
    expect(olderRuntimeWarning('26.2.0', '26.10.0')).toBeNull();
    expect(olderRuntimeWarning('27.0.0', '26.10.0')).toBeNull();
  });

  it('does not warn on the Node.js that runs the tests (npm test runs on the pinned one)', () => {
    expect(olderRuntimeWarning()).toBeNull();
  });
});
