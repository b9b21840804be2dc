import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

/** Readers of /proc (Linux): memory and CPU time of a process, the machine's CPU time and load. */

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** A field of /proc/<pid>/status in MB (VmRSS, VmHWM), or null when the process is gone. */
export function statusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** VmRSS split as the kernel accounts it (MB): anonymous (heaps, WebAssembly memory), file-backed, shared. */
export function rssBreakdownMb(pid: number): { anon: number; file: number; shmem: number } | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) / 1024;
    return { anon: field('RssAnon'), file: field('RssFile'), shmem: field('RssShmem') };
  } catch {
    return null;
  }
}

/** User + system CPU seconds a process has used so far, or null when it is gone. */
export function processCpuSeconds(pid: number): number | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
  } catch {
    return null;
  }
}

/**
 * CPU seconds used so far by each process whose command is `postgres` (the server's postmaster, backends and
 * background workers; other users of the server count too), by pid.
 */
export function postgresServerCpuSeconds(): Map<number, number> {
  const byPid = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (comm !== 'postgres') continue;
      const seconds = processCpuSeconds(Number(entry));
      if (seconds !== null) byPid.set(Number(entry), seconds);
    } catch {
      // gone meanwhile
    }
  }
  return byPid;
}

/** CPU used between two snapshots by the processes alive at the second (a backend that exited meanwhile is missed). */
function cpuSince(before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of after) total += Math.max(0, seconds - (before.get(pid) ?? 0));
  return total;
}

/** Busy and total CPU seconds of the whole machine since boot (all cores), from /proc/stat. */
export function machineCpuSeconds(): { busy: number; total: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = values;
  const busy = user + nice + system + irq + softirq + (steal ?? 0);
  const total = busy + idle + (iowait ?? 0);
  return { busy: busy / ticksPerSecond(), total: total / ticksPerSecond() };
}

export function loadAverage(): string {
  return os.loadavg().map((value) => value.toFixed(2)).join(' ');
}

/**
 * Where CPU time went between `start()` and `stop()`: the gateway process, the PostgreSQL server's processes,
 * this load generator, and the whole machine, each as a share of one core (100 % = one core busy for the period).
 */
export class CpuMeter {
  private startedAt = 0;
  private gateway0 = 0;
  private postgres0: ReadonlyMap<number, number> = new Map();
  private self0: NodeJS.CpuUsage = { user: 0, system: 0 };
  private machine0 = { busy: 0, total: 0 };

  constructor(private readonly gatewayPid: number | null) {}

  start(): void {
    this.startedAt = performance.now();
    this.gateway0 = this.gatewayPid === null ? 0 : (processCpuSeconds(this.gatewayPid) ?? 0);
    this.postgres0 = postgresServerCpuSeconds();
    this.self0 = process.cpuUsage();
    this.machine0 = machineCpuSeconds();
  }

  stop(): CpuShares {
    const seconds = (performance.now() - this.startedAt) / 1000;
    const gateway = this.gatewayPid === null ? 0 : (processCpuSeconds(this.gatewayPid) ?? this.gateway0) - this.gateway0;
    const postgres = cpuSince(this.postgres0, postgresServerCpuSeconds());
    const self = process.cpuUsage(this.self0);
    const machine = machineCpuSeconds();
    const share = (cpuSeconds: number) => Math.round((cpuSeconds / seconds) * 100);
    return {
      seconds,
      gatewayPercent: share(gateway),
      postgresServerPercent: share(postgres),
      loadGeneratorPercent: share((self.user + self.system) / 1e6),
      machineBusyPercent: Math.round(((machine.busy - this.machine0.busy) / Math.max(1e-9, machine.total - this.machine0.total)) * 100),
    };
  }
}

export interface CpuShares {
  readonly seconds: number;
  /** Of one core. */
  readonly gatewayPercent: number;
  /** Of one core; every postgres process on the machine, whoever uses it. */
  readonly postgresServerPercent: number;
  /** Of one core: this benchmark process (the HTTP load generator, and PGlite itself in scenario d). */
  readonly loadGeneratorPercent: number;
  /** Of all cores together. */
  readonly machineBusyPercent: number;
}
