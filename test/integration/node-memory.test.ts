/**
 * A memory node promises only what the host has: `--memory` beyond physical RAM (or the cgroup limit) less a
 * reserve is refused at once with one line, by `mempool node` and by `mempool up`; `--overcommit` forces it with a warning.
 */
import { existsSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir, totalmem } from 'os';
import { join } from 'path';
import { PoolClient } from '../../src';
import { checkMemoryPromise, cgroupMemoryLimit, hostMemory } from '../../src/node/host-memory';
import { killAll, mempool, mempoolSync, startCluster, Cluster } from '../helpers/procs';

const TiB = 1024 ** 4;
let cluster: Cluster;
let root: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mempool-nodemem-'));
  cluster = await startCluster({ nodes: 0 });
}, 30_000);

afterAll(async () => {
  await killAll();
  rmSync(root, { recursive: true, force: true });
});

/** Runs the CLI to completion and measures its wall time. */
function timed(args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string; ms: number } {
  const t0 = Date.now();
  const r = mempoolSync(args, env, 20_000);
  return { ...r, ms: Date.now() - t0 };
}

describe('host memory', () => {
  it('is physical RAM or the cgroup limit, less a reserve of max(512 MiB, 10%)', () => {
    const h = hostMemory();
    expect(h.physical).toBe(totalmem());
    const ceiling = h.cgroupLimit === null ? h.physical : Math.min(h.physical, h.cgroupLimit);
    expect(h.reserve).toBe(Math.max(512 * 1024 * 1024, Math.floor(ceiling * 0.1)));
    expect(h.usable).toBe(ceiling - h.reserve);
    expect(cgroupMemoryLimit('/nonexistent')).toBeNull();
    expect(checkMemoryPromise(h.usable, false, h)).toBeNull();
    expect(() => checkMemoryPromise(h.usable + 1, false, h)).toThrow(/more than this host can give.*--overcommit/);
    expect(checkMemoryPromise(h.usable + 1, true, h)).toMatch(/^warning: /);
  });
});

describe('mempool node --memory', () => {
  it('refuses 100TiB at once with one line and a non-zero exit, before contacting the manager', () => {
    const r = timed(['node', '--manager', cluster.url, '--memory', '100TiB']);
    console.log(`node --memory 100TiB: exit ${r.code} after ${r.ms} ms: ${r.stderr.trim()}`);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^mempool: --memory 100 TiB is more than this host can give \(\S+ \S+: .*\); choose a smaller --memory or force it with --overcommit$/);
    expect(r.ms).toBeLessThan(5000);
    expect(cluster.manager.output()).not.toMatch(/memory node .* joined/);
  });

  it('--overcommit starts it with a warning, and the pool shows the promise', async () => {
    const node = mempool(['node', '--manager', cluster.url, '--memory', '100TiB', '--overcommit']);
    await node.waitFor(/serving 100 TiB on ws:/, 15_000);
    expect(node.output()).toMatch(/^mempool: warning: --memory 100 TiB is more than this host can give .*--overcommit given/m);
    const op = await PoolClient.connect(cluster.url, { role: 'operator' });
    try {
      expect((await op.status()).capacity).toBe(100 * TiB);
    } finally {
      await op.close();
    }
    await node.stop('SIGTERM');
  });

  it('a promise within the host starts without a warning', async () => {
    const node = mempool(['node', '--manager', cluster.url, '--memory', '16MiB']);
    await node.waitFor(/serving 16 MiB on ws:/, 15_000);
    expect(node.output()).not.toMatch(/warning/);
    await node.stop('SIGTERM');
  });
});

describe('mempool up --memory', () => {
  it('refuses 100TiB at once, before starting anything or creating the mount point', () => {
    const mnt = join(root, 'up-mnt');
    const r = timed(['up', mnt, '--memory', '100TiB', '--listen', '127.0.0.1:0', '--secret-file', join(root, 'secret-for-tests-0123456789')]);
    console.log(`up --memory 100TiB: exit ${r.code} after ${r.ms} ms: ${r.stderr.trim()}`);
    expect(r.code).not.toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^mempool: --memory 100 TiB is more than this host can give .*--overcommit$/);
    expect(r.ms).toBeLessThan(5000);
    expect(existsSync(mnt)).toBe(false);
  });
});
