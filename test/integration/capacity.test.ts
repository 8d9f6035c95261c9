/**
 * Capacity and the CLI's edges: writing past the pool's capacity fails with
 * ENOSPC and harms no earlier file, deleting gives the space back; bad
 * arguments exit non-zero with a one-line reason; a listener on a
 * non-loopback address needs a secret.
 */
import { randomBytes } from 'crypto';
import { Errno, FsError, PoolClient } from '../../src';
import { sha256 } from '../helpers/pool-model';
import { Cluster, killAll, mempool, mempoolSync, startCluster } from '../helpers/procs';
import { cliStatus, statusWhen } from '../helpers/status';

const MiB = 1024 * 1024;

afterAll(async () => {
  await killAll();
});

describe('writing past capacity (3 × 16 MiB, R=1)', () => {
  let cluster: Cluster;
  let client: PoolClient;

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 3, memory: '16MiB', replicas: 1 });
    client = await PoolClient.connect(cluster.url);
  });

  afterAll(async () => {
    await client?.close();
    await cluster?.stop();
  });

  test('ENOSPC when full, every earlier file intact, deleting frees the space', async () => {
    const capacity = 48 * MiB;
    expect(cliStatus(cluster.url).capacity).toBe(capacity);
    const files = new Map<string, string>();
    let failure: unknown = null;
    // 3 MiB + a bit: not chunk-aligned, so the last chunk of each file is partial.
    for (let i = 0; i < 40 && !failure; i++) {
      const path = `/fill-${i}`;
      const data = randomBytes(3 * MiB + 4321);
      try {
        await client.writeFile(path, data);
        files.set(path, sha256(data));
      } catch (err) {
        failure = err;
        await client.unlink(path).catch(() => undefined);
      }
    }
    expect(failure).toBeInstanceOf(FsError);
    expect((failure as FsError).errno).toBe(Errno.ENOSPC);
    const full = cliStatus(cluster.url);
    console.log(
      `capacity: ENOSPC after ${files.size} files; pool ${(full.used / MiB).toFixed(1)} MiB used, ${(full.allocated / MiB).toFixed(1)} MiB allocated of ${full.capacity / MiB} MiB (${full.nodes.map((n) => (n.allocated / MiB).toFixed(1)).join(' / ')})`,
    );
    expect(files.size).toBeGreaterThanOrEqual(5);
    for (const n of full.nodes) expect(n.allocated).toBeLessThanOrEqual(n.capacity);

    // Every file written before the failure is intact.
    for (const [path, digest] of files) expect(sha256(await client.readFile(path))).toBe(digest);

    // Deleting frees the space, status shows it, and a new write then succeeds.
    const doomed = [...files.keys()].slice(0, 4);
    for (const p of doomed) {
      await client.unlink(p);
      files.delete(p);
    }
    const freed = await statusWhen(cluster.url, (s) => s.used <= full.used - 4 * (3 * MiB + 4321));
    expect(freed.used).toBeLessThanOrEqual(full.used - 4 * (3 * MiB + 4321));
    const again = randomBytes(3 * MiB);
    await client.writeFile('/after-delete', again);
    expect(sha256(await client.readFile('/after-delete'))).toBe(sha256(again));
    for (const [path, digest] of files) expect(sha256(await client.readFile(path))).toBe(digest);

    // Everything gone: nothing left on the nodes.
    for (const p of [...files.keys(), '/after-delete']) await client.unlink(p);
    const empty = await statusWhen(cluster.url, (s) => s.used === 0 && s.allocated === 0);
    expect(empty.used).toBe(0);
    expect(empty.allocated).toBe(0);
  });
  test('a write that fails midway with ENOSPC leaves nothing behind once the file is unlinked', async () => {
    // 64 MiB into a 48 MiB pool: many chunk writes are in flight when the first ENOSPC comes back.
    const data = Buffer.alloc(64 * MiB, 0x5a);
    const err = await client.writeFile('/too-big', data).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FsError);
    expect((err as FsError).errno).toBe(Errno.ENOSPC);
    await client.unlink('/too-big');
    await new Promise((r) => setTimeout(r, 500));
    const st = await statusWhen(cluster.url, (s) => s.used === 0 && s.allocated === 0);
    expect(st.nodes.map((n) => n.chunks)).toEqual([0, 0, 0]);
    expect(st.used).toBe(0);
    expect(st.allocated).toBe(0);
    // The pool is whole again: a file that fits is written and read back.
    const ok = randomBytes(20 * MiB + 3);
    await client.writeFile('/fits', ok);
    expect(sha256(await client.readFile('/fits'))).toBe(sha256(ok));
    await client.unlink('/fits');
  });
});

describe('CLI arguments', () => {
  /** Runs the CLI and expects a non-zero exit with exactly one line on stderr matching reason. */
  function expectRefused(args: string[], reason: RegExp, env: Record<string, string> = {}): void {
    const r = mempoolSync(args, { MEMPOOL_SECRET: '', ...env }, 10_000);
    expect(r.code).not.toBe(0);
    expect(r.code).not.toBeNull(); // exited by itself, not by the timeout
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(reason);
    expect(r.stdout).toBe('');
  }

  test('bad or missing arguments exit non-zero with a one-line reason', () => {
    expectRefused(['node', '--manager', 'ws://127.0.0.1:1', '--memory', '4Q'], /4Q/);
    expectRefused(['node', '--manager', 'ws://127.0.0.1:1', '--memory', '0'], /memory/);
    expectRefused(['node', '--memory', '64MiB'], /--manager/);
    expectRefused(['node', '--manager', 'http://127.0.0.1:1', '--memory', '64MiB'], /ws:\/\//);
    expectRefused(['manager', '--listen', 'nope'], /HOST:PORT/);
    expectRefused(['manager', '--listen', '127.0.0.1:99999'], /out of range/);
    expectRefused(['manager', '--listen', '127.0.0.1:0', '--replicas', '0'], /replicas|whole number/);
    expectRefused(['manager', '--listen', '127.0.0.1:0', '--chunk-size', '1000'], /chunk size/);
    expectRefused(['status', 'notaurl'], /notaurl/);
    expectRefused(['status'], /url/i);
    expectRefused(['frobnicate'], /frobnicate/);
  });

  test('a non-loopback listener refuses to start without a secret, starts with one', async () => {
    expectRefused(['manager', '--listen', '0.0.0.0:0'], /secret/);
    const m = mempool(['manager', '--listen', '0.0.0.0:0'], { MEMPOOL_SECRET: 'integration-secret-for-tests-0123456789' });
    await m.waitFor(/mempool manager listening on ws:\/\/\S+/);
    expect(await m.stop()).toBe(143); // SIGTERM: a clean stop, then exit 128+15
  });
});
