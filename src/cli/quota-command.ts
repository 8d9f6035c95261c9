/**
 * `mempool quota set|get|clear DIR`: directory quotas, asked of the manager. DIR is a directory under a local
 * mempool mount (translated to its path in the pool, the manager found from the mount's state) or, with
 * --manager URL, a path in the pool.
 */
import { posix, relative, resolve, sep } from 'path';
import { Command, InvalidArgumentError } from 'commander';
import { PoolClient } from '../client/pool-client';
import { formatSize } from '../size';
import { QuotaStatus } from '../types';
import { MEMPOOL_FSTYPE, readMountState, readMountsSync } from '../../mount/runtime';
import { security, SecurityOptions, sizeArg, wsUrl } from './options';

interface QuotaOptions extends SecurityOptions {
  manager?: string;
  bytes?: number | null;
  files?: number | null;
  json?: boolean;
}

/** Prints an error in one line and exits non-zero. */
function fail(err: unknown): never {
  console.error(`mempool: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`);
  process.exit(1);
}

/** --bytes: a size, or "none" to remove the limit. */
function bytesArg(text: string): number | null {
  return text === 'none' ? null : sizeArg(text);
}

/** --files: a whole number, or "none". */
function filesArg(text: string): number | null {
  if (text === 'none') return null;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`expected a whole number or "none", got "${text}"`);
  return n;
}

/** The manager URL and pool path DIR names: under a mempool mount point, or a pool path with --manager. */
export function quotaTarget(dir: string, manager: string | undefined): { url: string; path: string } {
  const abs = resolve(dir);
  let best: string | null = null;
  for (const m of readMountsSync()) {
    if (m.fstype !== MEMPOOL_FSTYPE) continue;
    if ((abs === m.mountpoint || abs.startsWith(m.mountpoint.endsWith(sep) ? m.mountpoint : m.mountpoint + sep)) && (best === null || m.mountpoint.length > best.length)) best = m.mountpoint;
  }
  if (best !== null) {
    const url = manager ?? readMountState(best)?.url;
    if (!url) throw new Error(`no manager known for the mount on ${best}: give --manager URL`);
    return { url, path: posix.join('/', relative(best, abs).split(sep).join('/')) };
  }
  if (!manager) throw new Error(`${dir} is not under a mempool mount: give --manager URL and a path in the pool`);
  if (!dir.startsWith('/')) throw new Error(`${dir}: a path in the pool starts with /`);
  return { url: manager, path: posix.normalize(dir) };
}

/** One line per quota: path, usage against limits. */
export function formatQuota(q: QuotaStatus): string {
  const bytes = `${formatSize(q.usedBytes)} of ${q.bytes === null ? 'unlimited' : formatSize(q.bytes)}`;
  const files = `${q.usedFiles} of ${q.files === null ? 'unlimited' : q.files} files`;
  return `${q.path}: ${bytes}, ${files}`;
}

/** Connects (get: as an operator, read-only; set and clear: as a client, with the client secret), runs fn, prints its answer. */
async function withClient(dir: string, o: QuotaOptions, fn: (c: PoolClient, path: string) => Promise<string>, role: 'client' | 'operator' = 'client'): Promise<void> {
  try {
    const { url, path } = quotaTarget(dir, o.manager);
    const sec = security(o);
    const client = await PoolClient.connect(url, { secret: sec.secret, ca: sec.ca, role, connectTimeoutMs: 5000 });
    try {
      const out = await fn(client, path);
      if (out) console.log(out);
    } finally {
      await client.close();
    }
    process.exit(0);
  } catch (err) {
    fail(err);
  }
}

/** Registers `mempool quota set|get|clear`. */
export function registerQuotaCommand(program: Command): void {
  const quota = program.command('quota').description('directory quotas: bytes and files over a whole subtree (EDQUOT at the limit)');
  const common = (c: Command) =>
    c
      .argument('<dir>', 'a directory under a mempool mount, or a path in the pool with --manager')
      .option('--manager <url>', 'manager URL (default: the one the mount holding DIR uses)', wsUrl)
      .option('--secret-file <file>', 'the client secret (set, clear) or the operator secret (get) (default: $MEMPOOL_SECRET)')
      .option('--tls-ca <file>', 'extra CA certificate (PEM) to trust for wss:// (default: $MEMPOOL_TLS_CA)');
  common(quota.command('set').description('set the limits of DIR (a limit not given keeps its value; "none" removes it)'))
    .option('--bytes <size>', 'most bytes (sum of file sizes) below DIR, e.g. 10GiB, or none', bytesArg)
    .option('--files <n>', 'most files and directories below DIR, or none', filesArg)
    .action((dir: string, o: QuotaOptions) => {
      if (o.bytes === undefined && o.files === undefined) fail('quota set needs --bytes and/or --files');
      const limits: { bytes?: number | null; files?: number | null } = {};
      if (o.bytes !== undefined) limits.bytes = o.bytes;
      if (o.files !== undefined) limits.files = o.files;
      return withClient(dir, o, async (c, path) => formatQuota(await c.quotaSet(path, limits)));
    });
  common(quota.command('get').description('show the limits and usage of DIR'))
    .option('--json', 'print machine-readable JSON')
    .action((dir: string, o: QuotaOptions) =>
      withClient(
        dir,
        o,
        async (c, path) => {
          const q = await c.quotaGet(path);
          if (o.json) return JSON.stringify(q);
          return q ? formatQuota(q) : `${path}: no quota`;
        },
        'operator',
      ),
    );
  common(quota.command('clear').description('remove the quota of DIR')).action((dir: string, o: QuotaOptions) =>
    withClient(dir, o, async (c, path) => {
      await c.quotaClear(path);
      return '';
    }),
  );
}
