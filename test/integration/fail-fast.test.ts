/**
 * Mistakes fail at once with one clear line: a manager URL where nothing listens (ECONNREFUSED, no 10 s of
 * redialing) for `status` and `mount`, and a bad mount point before the manager is contacted at all.
 */
import { spawn } from 'child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { createServer, Server, Socket } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { PoolClient, FsError } from '../../src';
import { CLI, killAll, startCluster, Cluster, TEST_MARK, Proc } from '../helpers/procs';
import { canMount, mountAt, mountsUnder, unmount } from '../helpers/mounts';

/** Runs the CLI and measures its wall time from spawn to exit. */
function timedCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const t0 = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, [TEST_MARK]: '1', MEMPOOL_SECRET: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((res) => child.on('close', (code) => res({ code, stdout, stderr, ms: Date.now() - t0 })));
}

/** A port on 127.0.0.1 where nothing listens. */
async function deadPort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

let root: string;
let refusedUrl: string;
/** A TCP server that accepts and never answers: a command that contacts it first would hang instead of failing. */
let silent: Server;
let silentUrl: string;
const silentSockets: Socket[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mempool-failfast-'));
  refusedUrl = `ws://127.0.0.1:${await deadPort()}`;
  silent = createServer((s) => silentSockets.push(s));
  await new Promise<void>((res) => silent.listen(0, '127.0.0.1', () => res()));
  silentUrl = `ws://127.0.0.1:${(silent.address() as { port: number }).port}`;
});

afterAll(async () => {
  for (const s of silentSockets) s.destroy();
  await new Promise<void>((res) => silent.close(() => res()));
  await killAll();
  rmSync(root, { recursive: true, force: true });
});

describe('a manager URL where nothing listens', () => {
  it('PoolClient.connect rejects with ECONNREFUSED at once instead of redialing', async () => {
    const t0 = Date.now();
    const err = await PoolClient.connect(refusedUrl, { secret: '', connectTimeoutMs: 10_000 }).then(
      () => null,
      (e: Error) => e,
    );
    const ms = Date.now() - t0;
    console.log(`PoolClient.connect to ${refusedUrl} failed after ${ms} ms`);
    expect(err).toBeInstanceOf(FsError);
    expect((err as FsError).code).toBe('ECONNREFUSED');
    expect((err as FsError).message).toContain(refusedUrl);
    // Before: ENOTCONN after connectTimeoutMs (10 s) of redialing.
    expect(ms).toBeLessThan(2000);
  });

  it.each([
    ['status', () => ['status', refusedUrl]],
    ['mount', () => ['mount', refusedUrl, root]],
  ])('`mempool %s` exits non-zero at once with one line naming ECONNREFUSED and the URL', async (name, args) => {
    // The same process start without the dial: what the failure may cost beyond it is the refused dial alone.
    // Started together, so both see the same load on a busy machine.
    const [baseline, r] = await Promise.all([timedCli([name, '--help']), timedCli(args())]);
    console.log(`mempool ${args().join(' ')}: exit ${r.code} after ${r.ms} ms; \`mempool ${name} --help\` (process start alone) ${baseline.ms} ms`);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^mempool: ECONNREFUSED: cannot connect to /);
    expect(lines[0]).toContain(refusedUrl);
    // Before: 10 s of redialing. Now: the process start (a few hundred ms, more on a loaded machine) and one refused dial.
    // Under ~200 ms on a quiet machine; the bound leaves room for a load average of 20 (the old way took 10 s).
    expect(r.ms - baseline.ms).toBeLessThan(3000);
  });
});

describe('a bad mount point fails before the manager is contacted', () => {
  it.each([
    ['a missing directory', () => join(root, 'missing', 'dir'), /^mempool: mount point \S+missing\/dir does not exist$/],
    ['a file', () => makeFile(), /^mempool: mount point \S+not-a-dir is not a directory$/],
  ])('%s', async (_what, dir, line) => {
    const before = silentSockets.length;
    const [baseline, r] = await Promise.all([timedCli(['mount', '--help']), timedCli(['mount', silentUrl, dir()])]);
    console.log(`mount on ${_what}: exit ${r.code} after ${r.ms} ms; \`mempool mount --help\` ${baseline.ms} ms`);
    expect(r.code).not.toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(line);
    expect(silentSockets.length).toBe(before);
    // Under ~200 ms on a quiet machine; the bound leaves room for a load average of 20 (the old way took 10 s).
    expect(r.ms - baseline.ms).toBeLessThan(3000);
  });

  const mountable = canMount();
  (mountable ? it : it.skip)('a mount point that is already mounted', async () => {
    let cluster: Cluster | null = null;
    let mnt: Proc | null = null;
    const dir = join(root, 'mounted');
    mkdirSync(dir);
    try {
      cluster = await startCluster({ nodes: 1, memory: '32MiB' });
      mnt = await mountAt(cluster.url, dir);
      const before = silentSockets.length;
      const r = await timedCli(['mount', silentUrl, dir]);
      expect(r.code).not.toBe(0);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/is already mounted \(fuse\.mempool from .*\); run: mempool umount /);
      expect(silentSockets.length).toBe(before);
    } finally {
      await unmount(mnt, dir);
      await cluster?.stop();
    }
    expect(mountsUnder(dir).size).toBe(0);
  });
});

function makeFile(): string {
  const f = join(root, 'not-a-dir');
  writeFileSync(f, 'x');
  return f;
}
