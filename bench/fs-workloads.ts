/**
 * The workloads of the `fs` suite, each run the same way on any mounted
 * directory with unmodified tools: dd for sequential and small-write
 * throughput, fio for 4 KiB random IOPS, a small C program for the
 * create/stat/unlink loop, tar and rm -rf for a tree of a few thousand files.
 */
import { existsSync, writeFileSync } from 'fs';
import { join } from 'path';
import { exec, sh } from './exec';
import { mbps } from './report';

const MiB = 1024 * 1024;

/** Sequential write of `mib` MiB in 1 MiB blocks, fsync included; MB/s. */
export async function seqWrite(dir: string, mib: number): Promise<number> {
  const r = await exec('dd', ['if=/dev/zero', `of=${join(dir, 'seq')}`, 'bs=1M', `count=${mib}`, 'conv=fsync']);
  return mbps(mib * MiB, r.seconds);
}

/** Sequential read of the file seqWrite made, in 1 MiB blocks; MB/s. */
export async function seqRead(dir: string, mib: number): Promise<number> {
  const r = await exec('dd', [`if=${join(dir, 'seq')}`, 'of=/dev/null', 'bs=1M']);
  return mbps(mib * MiB, r.seconds);
}

/** Reads the file seqWrite made once more (the first read filled the page cache where the file system lets it); MB/s. */
export async function cachedRead(dir: string, mib: number): Promise<number> {
  return seqRead(dir, mib);
}

/** `dd bs=4k` of `mib` MiB into a new file, fsync included; MB/s. */
export async function smallWrites(dir: string, mib: number): Promise<number> {
  const r = await exec('dd', ['if=/dev/zero', `of=${join(dir, 'small')}`, 'bs=4k', `count=${(mib * MiB) / 4096}`, 'conv=fsync']);
  return mbps(mib * MiB, r.seconds);
}

/** fio's JSON report, the parts used here. */
interface FioReport {
  jobs: Array<{ read: { iops: number }; write: { iops: number } }>;
}

/** 4 KiB random reads or writes with fio (psync, QD1 per job, `jobs` jobs on one file of `mib` MiB) for `seconds`; total IOPS. */
export async function fioIops(dir: string, rw: 'randread' | 'randwrite', jobs: number, seconds: number, mib: number, cached = false): Promise<number> {
  // cached: the file is read whole first and fio keeps the page cache (it drops the file's pages before a run by default)
  if (cached) await sh(`cat '${join(dir, 'fio')}' > /dev/null`);
  const args = [
    ...(cached ? ['--invalidate=0'] : []),
    '--name=r',
    `--filename=${join(dir, 'fio')}`,
    `--rw=${rw}`,
    '--bs=4k',
    `--size=${mib}M`,
    `--runtime=${seconds}`,
    '--time_based',
    '--ioengine=psync',
    '--iodepth=1',
    `--numjobs=${jobs}`,
    '--group_reporting',
    '--fallocate=none',
    '--output-format=json',
  ];
  const r = await exec('fio', args, { timeoutMs: (seconds + 120) * 1000 });
  const json = r.stdout.slice(r.stdout.indexOf('{'));
  const rep = JSON.parse(json) as FioReport;
  const job = rep.jobs[0];
  if (!job) throw new Error(`fio reported no job: ${json.slice(0, 200)}`);
  return rw === 'randread' ? job.read.iops : job.write.iops;
}

/** The create/stat/unlink loop: one C program, the same on every file system. */
const META_C = `
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: meta DIR N\\n"); return 2; }
  const char *dir = argv[1]; int n = atoi(argv[2]); char p[4096]; struct stat st; int i;
  double t0 = now();
  for (i = 0; i < n; i++) { snprintf(p, sizeof p, "%s/f%d", dir, i); int fd = open(p, O_CREAT | O_EXCL | O_WRONLY, 0644); if (fd < 0 || close(fd)) { perror(p); return 1; } }
  double t1 = now();
  for (i = 0; i < n; i++) { snprintf(p, sizeof p, "%s/f%d", dir, i); if (stat(p, &st) || st.st_size != 0) { perror(p); return 1; } }
  double t2 = now();
  for (i = 0; i < n; i++) { snprintf(p, sizeof p, "%s/f%d", dir, i); if (stat(p, &st) || st.st_size != 0) { perror(p); return 1; } }
  double t3 = now();
  for (i = 0; i < n; i++) { snprintf(p, sizeof p, "%s/f%d", dir, i); if (unlink(p)) { perror(p); return 1; } }
  double t4 = now();
  printf("%.6f %.6f %.6f %.6f\\n", t1 - t0, t2 - t1, t3 - t2, t4 - t3);
  return 0;
}
`;

/** Compiles the metadata loop into workDir (once per run); returns the binary's path. */
export async function buildMetaLoop(workDir: string): Promise<string> {
  const src = join(workDir, 'meta.c');
  const bin = join(workDir, 'meta');
  writeFileSync(src, META_C);
  await exec('cc', ['-O2', '-o', bin, src]);
  return bin;
}

/** Metadata rates, operations per second. */
export interface MetaRates {
  create: number;
  /** The first stat of each file after the creates. */
  stat: number;
  /** A second stat of each: on mempool, with the directory's lease held (the kernel's entries and attributes under it). */
  statAgain: number;
  unlink: number;
}

/** Runs the metadata loop on `files` files in a new subdirectory of dir. */
export async function metaLoop(bin: string, dir: string, files: number): Promise<MetaRates> {
  const sub = join(dir, 'meta');
  await exec('mkdir', [sub]);
  const r = await exec(bin, [sub, String(files)]);
  await exec('rmdir', [sub]);
  const [c, s, s2, u] = r.stdout.trim().split(/\s+/).map(Number);
  if (c === undefined || s === undefined || s2 === undefined || u === undefined) throw new Error(`${bin}: expected four timings, got "${r.stdout.trim()}"`);
  return { create: files / c, stat: files / s, statAgain: files / s2, unlink: files / u };
}

/** A tarball of a few thousand files (from /usr/include) and its entry count. */
export interface Tarball {
  path: string;
  entries: number;
}

/** Makes the tarball once per run in workDir from a fixed set of /usr/include folders. */
export async function buildTarball(workDir: string): Promise<Tarball> {
  const want = ['linux', 'c++', 'x86_64-linux-gnu', 'asm-generic', 'X11', 'openssl', 'python3.11', 'sys', 'netinet', 'arpa'];
  const have = want.filter((d) => existsSync(join('/usr/include', d)));
  const path = join(workDir, 'tree.tar');
  await exec('tar', ['-C', '/usr/include', '-cf', path, ...(have.length > 0 ? have : ['.'])]);
  const list = await exec('tar', ['-tf', path]);
  return { path, entries: list.stdout.split('\n').filter(Boolean).length };
}

/** Untar then `rm -rf` of the tree in dir; entries per second for each. */
export async function untarRm(dir: string, tar: Tarball): Promise<{ untar: number; rm: number }> {
  const sub = join(dir, 'tree');
  await exec('mkdir', [sub]);
  const x = await exec('tar', ['-xf', tar.path, '-C', sub]);
  const rm = await sh(`rm -rf '${sub}'`);
  return { untar: tar.entries / x.seconds, rm: tar.entries / rm.seconds };
}

/** Removes the files the data workloads left in dir. */
export async function cleanData(dir: string): Promise<void> {
  await exec('rm', ['-f', join(dir, 'seq'), join(dir, 'small'), join(dir, 'fio')]);
}
