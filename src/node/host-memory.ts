/**
 * How much RAM this host can give a memory node: physical memory or the cgroup's memory.max, whichever is lower,
 * less a reserve for the kernel, the node process itself and everything else on the host. A node that promises
 * more ends in the OOM killer and lost chunks, so it must refuse (or, forced, say so).
 */
import { readFileSync } from 'fs';
import { totalmem } from 'os';
import { formatSize } from '../size';

const MiB = 1024 * 1024;
/** The reserve is at least this many bytes... */
const MIN_RESERVE = 512 * MiB;
/** ...and at least this fraction of the host's memory. */
const RESERVE_FRACTION = 0.1;

/** The host's memory as a memory node sees it. */
export interface HostMemory {
  /** MemTotal of the machine. */
  physical: number;
  /** The lowest memory limit of this process's cgroups, or null when none is set. */
  cgroupLimit: number | null;
  /** Held back for everything but chunk data. */
  reserve: number;
  /** Most bytes a memory node may promise without --overcommit. */
  usable: number;
}

/** Reads a cgroup limit file: bytes, or null for "max", a missing file or v1's "unlimited" (a page-rounded huge number). */
function readLimit(file: string): number | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
  if (!/^\d+$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) && n < 2 ** 60 ? n : null;
}

/** The lowest memory limit on the path from this process's cgroup (v2, or v1's memory controller) up to the root. */
export function cgroupMemoryLimit(procCgroup = '/proc/self/cgroup', root = '/sys/fs/cgroup'): number | null {
  let lines: string[];
  try {
    lines = readFileSync(procCgroup, 'utf8').split('\n');
  } catch {
    return null;
  }
  let lowest: number | null = null;
  const consider = (n: number | null) => {
    if (n !== null && (lowest === null || n < lowest)) lowest = n;
  };
  for (const line of lines) {
    const [, controllers, path] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
    if (path === undefined || controllers === undefined) continue;
    const v2 = controllers === '';
    if (!v2 && !controllers.split(',').includes('memory')) continue;
    const base = v2 ? root : `${root}/memory`;
    const file = v2 ? 'memory.max' : 'memory.limit_in_bytes';
    // Every level of the hierarchy limits its descendants; inside a container the path may not exist (then its root is ours).
    const parts = path.split('/').filter((p) => p.length > 0);
    for (let i = parts.length; i >= 0; i--) consider(readLimit(`${base}/${parts.slice(0, i).join('/')}${i ? '/' : ''}${file}`));
  }
  return lowest;
}

/** What this host can give, from /proc/meminfo (via os.totalmem) and the cgroup limits. */
export function hostMemory(): HostMemory {
  const physical = totalmem();
  const cgroupLimit = cgroupMemoryLimit();
  const ceiling = cgroupLimit === null ? physical : Math.min(physical, cgroupLimit);
  const reserve = Math.max(MIN_RESERVE, Math.floor(ceiling * RESERVE_FRACTION));
  return { physical, cgroupLimit, reserve, usable: Math.max(0, ceiling - reserve) };
}

/**
 * Checks a memory node's promise against the host: throws a one-line Error when it is more than the host can give,
 * unless overcommit is set; then returns the warning to print (null when the promise fits).
 */
export function checkMemoryPromise(bytes: number, overcommit: boolean, host: HostMemory = hostMemory()): string | null {
  if (bytes <= host.usable) return null;
  const limits = `${formatSize(host.physical)} of RAM${host.cgroupLimit !== null ? `, cgroup limit ${formatSize(host.cgroupLimit)}` : ''}, less a reserve of ${formatSize(host.reserve)}`;
  const what = `--memory ${formatSize(bytes)} is more than this host can give (${formatSize(host.usable)}: ${limits})`;
  if (!overcommit) throw new Error(`${what}; choose a smaller --memory or force it with --overcommit`);
  return `warning: ${what}; --overcommit given, so chunk writes may end in the kernel's OOM killer`;
}
