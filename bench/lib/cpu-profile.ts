import fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileSummary {
  readonly file: string;
  readonly totalMs: number;
  /** Share of the profiled time the gateway's thread was idle (waiting for I/O: the database, the network). */
  readonly idlePercent: number;
  /** Busy time per area; node internals and native calls are charged to the package that called them. */
  readonly areas: readonly { area: string; ms: number; percentOfBusy: number }[];
  readonly topFunctions: readonly { fn: string; where: string; ms: number; percentOfBusy: number }[];
}

/** Where a frame's code lives: a package, a part of the gateway, Node itself, or V8 pseudo-frames. */
function areaOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (url === '') {
    if (functionName === '(idle)') return '(idle)';
    if (functionName === '(garbage collector)') return 'V8 garbage collector';
    if (functionName === '(program)') return 'V8/native (program)';
    return `native ${functionName || '(anonymous)'}`;
  }
  if (url.startsWith('wasm://')) return 'PGlite (WebAssembly PostgreSQL)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const dist = /\/dist\/(apps\/[^/]+|libs\/[^/]+)\//.exec(url);
  if (dist) return `gateway ${dist[1]}`;
  return url;
}

/** Node internals and native calls are charged to the code that called them (pg, express, PGlite, ...). */
function isPassThrough(area: string): boolean {
  return area.startsWith('node:') || (area.startsWith('native ') && area !== 'native (root)');
}

/**
 * Self time per function, and time per area, from a V8 .cpuprofile (node --cpu-prof). `window` keeps only the
 * samples between `fromEndMs` and `toEndMs` before the end of the profile (the measured part of a scenario).
 */
export function summariseCpuProfile(file: string, window?: { readonly fromEndMs: number; readonly toEndMs: number }, top = 25): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const selfUs = new Map<number, number>();
  if (profile.samples && profile.timeDeltas) {
    const timestamps: number[] = [];
    let t = profile.startTime;
    for (const delta of profile.timeDeltas) timestamps.push((t += delta));
    const from = window ? profile.endTime - window.fromEndMs * 1000 : -Infinity;
    const to = window ? profile.endTime - window.toEndMs * 1000 : Infinity;
    // timeDeltas[i] is the time before sample i; charge it to the sample before (the one that was running).
    for (let i = 0; i < profile.samples.length; i++) {
      if (timestamps[i] < from || timestamps[i] > to) continue;
      const delta = profile.timeDeltas[i + 1] ?? 0;
      selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + Math.max(0, delta));
    }
  } else {
    const interval = (profile.endTime - profile.startTime) / Math.max(1, profile.nodes.reduce((n, node) => n + (node.hitCount ?? 0), 0));
    for (const node of profile.nodes) selfUs.set(node.id, (node.hitCount ?? 0) * interval);
  }
  const parents = new Map<number, ProfileNode>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node);
  const ownerArea = (node: ProfileNode): string => {
    const own = areaOf(node.callFrame);
    if (!isPassThrough(own)) return own;
    for (let up = parents.get(node.id); up; up = parents.get(up.id)) {
      const area = areaOf(up.callFrame);
      if (!isPassThrough(area) && area !== 'native (root)') return area;
    }
    return own;
  };
  const byArea = new Map<string, number>();
  const byFunction = new Map<string, { fn: string; where: string; us: number }>();
  let idleUs = 0;
  let totalUs = 0;
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    if (us === 0) continue;
    totalUs += us;
    const area = ownerArea(node);
    if (area === '(idle)') {
      idleUs += us;
      continue;
    }
    byArea.set(area, (byArea.get(area) ?? 0) + us);
    const where = node.callFrame.url === '' ? area : `${node.callFrame.url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${node.callFrame.lineNumber + 1}`;
    const fn = node.callFrame.functionName || '(anonymous)';
    const key = `${fn}@${where}`;
    const entry = byFunction.get(key) ?? { fn, where, us: 0 };
    entry.us += us;
    byFunction.set(key, entry);
  }
  const busyUs = Math.max(1, totalUs - idleUs);
  return {
    file,
    totalMs: totalUs / 1000,
    idlePercent: (idleUs / Math.max(1, totalUs)) * 100,
    areas: [...byArea.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([area, us]) => ({ area, ms: us / 1000, percentOfBusy: (us / busyUs) * 100 })),
    topFunctions: [...byFunction.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map(({ fn, where, us }) => ({ fn, where, ms: us / 1000, percentOfBusy: (us / busyUs) * 100 })),
  };
}
