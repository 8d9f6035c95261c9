/**
 * A file-system workload for crash tests: a tarball of a few thousand small files (with its reference extract on local
 * disk and a sha256 manifest), `tar x` of it into a mount, and an fio writer that verifies what it wrote (crc32c).
 * Each runs as a child shell whose exit status and output the test checks after the crash it provokes.
 */
import { spawn } from 'child_process';
import { randomBytes } from 'crypto';
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { sh } from './mounts';
import { TEST_MARK } from './procs';

/** A background shell command: resolves with its status and output once it ends. */
export interface Job {
  done: Promise<{ code: number | null; signal: string | null; output: string }>;
  /** Output so far. */
  output(): string;
  kill(): void;
}

/** Runs cmd in bash in the background. */
export function job(cmd: string, cwd?: string): Job {
  const child = spawn('/bin/bash', ['-c', cmd], { cwd, env: { ...process.env, [TEST_MARK]: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<{ code: number | null; signal: string | null; output: string }>((res) => child.on('exit', (code, signal) => res({ code, signal, output: out })));
  return {
    done,
    output: () => out,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** A tarball of `files` small files in `dirs` directories (sizes 0..24 KiB, some symlinks), its reference extract and sha256 manifest. */
export interface Tarball {
  tar: string;
  /** The tree extracted on local disk (compare with diff -r). */
  ref: string;
  /** `sha256sum` lines of every regular file, paths relative to the tree's root. */
  manifest: string;
}

/** Builds a Tarball under dir (deterministic shape, random bytes). */
export function makeTarball(dir: string, files = 2000, dirs = 40): Tarball {
  const src = join(dir, 'src');
  for (let i = 0; i < files; i++) {
    const d = join(src, `d${i % dirs}`, `s${i % 3}`);
    if (i < dirs * 3) mkdirSync(d, { recursive: true });
    const size = (i * 7919) % (24 * 1024);
    writeFileSync(join(d, `f${i}.bin`), randomBytes(size), { mode: i % 5 === 0 ? 0o600 : 0o644 });
  }
  sh(`cd ${src} && for i in 0 1 2 3 4; do ln -s s0/f$i.bin d0/link$i || true; done`);
  const tar = join(dir, 'tree.tar');
  sh(`tar cf ${tar} -C ${src} .`);
  const ref = join(dir, 'ref');
  mkdirSync(ref);
  sh(`tar xf ${tar} -C ${ref}`);
  const manifest = sh(`cd ${ref} && find . -type f -print0 | sort -z | xargs -0 sha256sum`);
  writeFileSync(join(dir, 'manifest.sha256'), manifest);
  return { tar, ref, manifest };
}

/** Starts `tar xf` of the tarball into target (created). */
export function untar(t: Tarball, target: string): Job {
  return job(`mkdir -p ${target} && tar xf ${t.tar} -C ${target} && echo untar-done`);
}

/** Starts an fio writer in dir: sequential writes of size with crc32c verify headers, then a full verify pass. */
export function fioWriter(dir: string, size = '32m'): Job {
  return job(
    `mkdir -p ${dir} && fio --name=writer --directory=${dir} --rw=write --bs=64k --size=${size} --ioengine=psync --verify=crc32c --do_verify=1 --verify_fatal=1 --verify_state_save=0 --end_fsync=1 --numjobs=1 --group_reporting 2>&1 && echo fio-done`,
  );
}

/** True when fio is installed. */
export function haveFio(): boolean {
  try {
    sh('which fio');
    return true;
  } catch {
    return false;
  }
}

/** Checks a tree on a mount against the reference: diff -r (content, names, symlinks) and the sha256 manifest; returns problems (empty: equal). */
export function compareTree(t: Tarball, target: string): string {
  let problems = '';
  try {
    sh(`diff -r --no-dereference ${t.ref} ${target}`, undefined, 300_000);
  } catch (err) {
    problems += `diff -r: ${(err as Error & { stdout?: string }).stdout?.slice(0, 2000) ?? (err as Error).message}\n`;
  }
  const got = sh(`cd ${target} && find . -type f -print0 | sort -z | xargs -0 sha256sum`, undefined, 300_000);
  if (got !== t.manifest) problems += 'sha256 manifest differs\n';
  return problems;
}
