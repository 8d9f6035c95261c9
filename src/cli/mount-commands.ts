/**
 * `mempool mount`, `mempool umount` and `mempool up`: the commands that put a
 * pool on a mount point (foreground or daemonized), take it off again (also
 * after the FUSE process died), and run a whole one-machine pool.
 */
import { ChildProcess, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import { closeSync, existsSync, readFileSync, readlinkSync, promises as fsp } from 'fs';
import { homedir, hostname, networkInterfaces, totalmem } from 'os';
import { dirname, join, resolve } from 'path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { PoolClient } from '../client/pool-client';
import { clearJournal } from '../manager/log/journal';
import { formatSize } from '../size';
import { checkMemoryPromise, hostMemory } from '../node/host-memory';
import { parseHostPort, secondsArg, security, SecurityOptions, sizeArg, wsUrl } from './options';
import { createPrivateFile, ensurePrivateDir, openPrivateLog, privateLogDir } from './private-files';
import { readSecretFile } from '../../transport';
import { DEFAULT_MANAGER_TIMEOUT_MS } from '../client/manager-link';
import { mountPool, MountHandle, prepareMountpoint } from '../../mount/mount';
import { lazyUnmount, MEMPOOL_FSTYPE, mountAt, processAlive, readMountState, readMountsSync, removeMountState } from '../../mount/runtime';

const DEFAULT_CACHE = 256 * 1024 * 1024;
const DEFAULT_MOUNTPOINT = '/mnt/mempool';
const GiB = 1024 * 1024 * 1024;
/** Message a daemonized mount sends its parent over IPC. */
type ReadyMessage = { ready: true } | { error: string };

/** Prints an error in one line and exits non-zero. */
function fail(err: unknown): never {
  const msg = err instanceof Error ? err.message : String(err);
  console.error(`mempool: ${msg.split('\n')[0]}`);
  process.exit(1);
}

/** --cache: a size from 0 up to the machine's RAM. */
function cacheArg(text: string): number {
  const n = sizeArg(text);
  if (n > totalmem()) throw new InvalidArgumentError(`--cache ${text} is more than this machine's RAM (${formatSize(totalmem())})`);
  return n;
}

/** Default contribution of `mempool up`: a quarter of RAM, at most 4 GiB and what the host can give, whole MiB. */
export function defaultUpMemory(): number {
  const quarter = Math.min(Math.floor(totalmem() / 4), 4 * GiB, hostMemory().usable);
  return Math.max(1024 * 1024, quarter - (quarter % (1024 * 1024)));
}

/** Registers mount, umount and up on the mempool program. */
export function registerMountCommands(program: Command): void {
  program
    .command('mount')
    .description('mount a pool as a shared, tmpfs-like file system')
    .argument('<url>', 'manager URL (ws://HOST:PORT)', wsUrl)
    .argument('<mountpoint>', 'an existing directory')
    .addOption(new Option('--cache <size>', 'page cache size, e.g. 256MiB').default(DEFAULT_CACHE, '256MiB').argParser(cacheArg))
    .option('-d, --daemon', 'run in the background; return once the mount is ready')
    .option('--debug', 'log every FUSE request')
    .option('--kernel-cache', 'let the kernel cache file pages and attributes while a lease is held (the default)')
    .option('--no-kernel-cache', 'direct I/O and zero attribute timeouts always (default: on unless $MEMPOOL_KERNEL_CACHE=0)')
    .option('--dir-leases', 'take directory leases and let the kernel cache entries under them (the default)')
    .option('--no-dir-leases', 'no directory leases: every lookup asks the manager (default: on unless $MEMPOOL_DIR_LEASES=0)')
    .option('--secret-file <file>', 'file holding the cluster secret (default: $MEMPOOL_SECRET)')
    .option('--tls-ca <file>', 'extra CA certificate (PEM) to trust for wss:// (default: $MEMPOOL_TLS_CA)')
    .addOption(
      new Option('--manager-timeout <seconds>', 'how long calls wait through a manager outage (restart, takeover) before failing with EIO; df answers from the last known figures meanwhile')
        .default(DEFAULT_MANAGER_TIMEOUT_MS, '60')
        .argParser(secondsArg),
    )
    .action(async (url: string, mountpoint: string, o: MountCmdOptions) => {
      try {
        await mountCommand(url, mountpoint, o);
      } catch (err) {
        reportToParent({ error: (err as Error).message });
        fail(err);
      }
    });

  program
    .command('umount')
    .alias('unmount')
    .description('unmount a mempool mount (lazily if its FUSE process is gone)')
    .argument('<mountpoint>', 'where the pool is mounted')
    .action(async (mountpoint: string) => {
      try {
        process.exit(await umountCommand(mountpoint));
      } catch (err) {
        fail(err);
      }
    });

  program
    .command('up')
    .description('all in one: a manager, one memory node and a mount on this machine; Ctrl-C stops everything')
    .argument('[mountpoint]', 'where to mount', DEFAULT_MOUNTPOINT)
    .addOption(new Option('--listen <host:port>', 'manager address (port 0: any free port; 0.0.0.0:7070 to let other machines join)').default('127.0.0.1:7070').argParser(parseHostPort))
    .addOption(new Option('--memory <size>', 'RAM the local memory node contributes').default(defaultUpMemory(), 'a quarter of RAM, at most 4GiB').argParser(sizeArg))
    .addOption(new Option('--cache <size>', 'page cache size of the mount').default(DEFAULT_CACHE, '256MiB').argParser(cacheArg))
    .addOption(new Option('--chunk-size <size>', 'bytes per chunk (default: the manager default)').argParser(sizeArg))
    .option('--secret-file <file>', 'cluster secret; created (random, mode 0600) if missing (default: ~/.mempool/secret)')
    .option('--overcommit', 'allow --memory beyond what this host can give (RAM or cgroup limit, less a reserve)')
    .option('--data-dir <dir>', "the manager's metadata journal: replayed when the manager crashes and is restarted; emptied at start and stop, as the pool's memory is (default: ~/.mempool/up-PORT)")
    .action(async (mountpoint: string, o: UpOptions) => {
      try {
        await upCommand(mountpoint, o);
      } catch (err) {
        fail(err);
      }
    });
}

// ------------------------------------------------------------------ mount

interface MountCmdOptions extends SecurityOptions {
  cache: number;
  /** ms (parsed from seconds). */
  managerTimeout: number;
  daemon?: boolean;
  debug?: boolean;
  kernelCache?: boolean;
  dirLeases?: boolean;
}

/** Sends the daemon parent (if any) the outcome, then lets go of the IPC channel. */
function reportToParent(msg: ReadyMessage): void {
  if (!process.send || !process.connected) return;
  process.send(msg, () => {
    if (process.connected) process.disconnect();
  });
}

async function mountCommand(url: string, mountpoint: string, o: MountCmdOptions): Promise<void> {
  const mnt = resolve(mountpoint);
  const sec = security(o); // reads and checks the secret and CA files now, so errors come before any fork
  await prepareMountpoint(mnt); // a missing, non-directory or already mounted mount point fails before the manager is asked
  if (o.daemon) return daemonize(url, mnt, o);
  const dirLeases = o.dirLeases ?? process.env.MEMPOOL_DIR_LEASES !== '0';
  const client = await PoolClient.connect(url, { secret: sec.secret, ca: sec.ca, name: `${hostname()}:${mnt}`, cacheBytes: o.cache, names: 'bytes', managerTimeoutMs: o.managerTimeout, dirLeases });
  let handle: MountHandle;
  try {
    const kernelCache = o.kernelCache ?? process.env.MEMPOOL_KERNEL_CACHE !== '0';
    handle = await mountPool(client, mnt, { url, debug: o.debug, kernelCache, dirLeases, logFile: process.env.MEMPOOL_MOUNT_LOG });
  } catch (err) {
    await client.close();
    throw err;
  }
  console.log(`mounted ${url} on ${mnt}`);
  reportToParent({ ready: true });
  // Unmounted from outside ('lost': `umount DIR`, as fstab mounts end, or fusermount -u): the client flushed on close, a normal end.
  await handle.closed;
  process.exit(0);
}

/** Path of this CLI's entry script, to re-run it as a daemon or role (node always sets argv[1] when running a script). */
function cliScript(): string {
  const script = process.argv[1];
  if (script === undefined) throw new Error('cannot find the mempool CLI script (process.argv[1] is unset)');
  return script;
}

/** Log file of a daemonized mount, in a directory only this user can write (never the shared temporary directory). */
function daemonLogPath(mnt: string): string {
  const dir = privateLogDir();
  const slug = mnt.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '') || 'root';
  return join(dir, `mempool-mount-${slug}.log`);
}

/** Re-runs `mempool mount` detached, with output to a log file; exits 0 once it reports the mount ready, 1 with its reason otherwise. */
async function daemonize(url: string, mnt: string, o: MountCmdOptions): Promise<never> {
  const log = daemonLogPath(mnt);
  const fd = openPrivateLog(log);
  const args = [cliScript(), 'mount', url, mnt, '--cache', String(o.cache), '--manager-timeout', String(o.managerTimeout / 1000)];
  if (o.secretFile) args.push('--secret-file', resolve(o.secretFile));
  if (o.tlsCa) args.push('--tls-ca', resolve(o.tlsCa));
  if (o.debug) args.push('--debug');
  if (o.kernelCache !== undefined) args.push(o.kernelCache ? '--kernel-cache' : '--no-kernel-cache');
  if (o.dirLeases !== undefined) args.push(o.dirLeases ? '--dir-leases' : '--no-dir-leases');
  const child = spawn(process.execPath, args, {
    detached: true,
    cwd: '/',
    stdio: ['ignore', fd, fd, 'ipc'],
    env: { ...process.env, MEMPOOL_MOUNT_LOG: log },
  });
  closeSync(fd);
  const outcome = await new Promise<ReadyMessage>((res) => {
    const timer = setTimeout(() => res({ error: `the mount did not become ready within 30 s (see ${log})` }), 30_000);
    child.once('message', (m: ReadyMessage) => {
      clearTimeout(timer);
      res(m);
    });
    child.once('exit', (code, sig) => {
      clearTimeout(timer);
      res({ error: lastLine(log) ?? `the mount process exited (${code ?? sig})` });
    });
  });
  if ('ready' in outcome) {
    if (child.connected) child.disconnect();
    child.unref();
    console.log(`mounted ${url} on ${mnt} (pid ${child.pid}, log ${log})`);
    process.exit(0);
  }
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  throw new Error(outcome.error.replace(/^mempool: /, ''));
}

function lastLine(file: string): string | null {
  try {
    const last = readFileSync(file, 'utf8').trim().split('\n').pop();
    return last || null;
  } catch {
    return null;
  }
}

// ----------------------------------------------------------------- umount

/** Unmounts: asks the live FUSE process to unmount (SIGTERM), else lazily unmounts a dead mount. Returns the exit code. */
async function umountCommand(mountpoint: string): Promise<number> {
  const mnt = resolve(mountpoint);
  const entry = mountAt(readMountsSync(), mnt);
  const state = readMountState(mnt);
  if (entry && entry.fstype !== MEMPOOL_FSTYPE) throw new Error(`${mnt} is not a mempool mount (it is ${entry.fstype} from ${entry.source})`);
  if (!entry) {
    if (state) {
      removeMountState(mnt);
      console.log(`${mnt} is already unmounted`);
      return 0;
    }
    throw new Error(`${mnt} is not mounted`);
  }
  if (state && processAlive(state.pid) && isMempoolProcess(state.pid, mnt)) {
    process.kill(state.pid, 'SIGTERM');
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && (processAlive(state.pid) || mountAt(readMountsSync(), mnt))) await sleep(50);
    if (!mountAt(readMountsSync(), mnt)) {
      console.log(`unmounted ${mnt}`);
      return 0;
    }
    await lazyUnmount(mnt);
    console.error(`mempool: the FUSE process ${state.pid} did not unmount within 15 s; lazily unmounted ${mnt}`);
    return 1;
  }
  await lazyUnmount(mnt);
  removeMountState(mnt);
  console.log(`unmounted ${mnt} (lazily: its FUSE process was gone)`);
  return 0;
}

/** True if pid runs `mempool mount … MNT` or `mempool up` (guards against a reused pid in a stale state file). */
function isMempoolProcess(pid: number, mnt: string): boolean {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const cwd = readlinkSync(`/proc/${pid}/cwd`);
    const cli = args.some((a) => a.includes('mempool') || resolve(cwd, a) === resolve(cliScript()));
    return cli && (args.includes('up') || (args.includes('mount') && args.some((a) => resolve(cwd, a) === mnt)));
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((res) => setTimeout(res, ms));
}

// --------------------------------------------------------------------- up

interface UpOptions {
  listen: { host: string; port: number } | string;
  memory: number;
  cache: number;
  chunkSize?: number;
  secretFile?: string;
  overcommit?: boolean;
  dataDir?: string;
}

/** Restarts of the manager `up` allows within a minute before it gives up. */
const MAX_MANAGER_RESTARTS = 5;

/** A child role process of `mempool up`. */
interface Role {
  name: string;
  child: ChildProcess;
}

/** Uses the secret file if it exists (refused if group or others may access it), else creates a fresh random one (mode 0600, O_EXCL|O_NOFOLLOW). */
function ensureSecret(file: string): { secret: string; created: boolean } {
  if (existsSync(file)) return { secret: readSecretFile(file), created: false };
  ensurePrivateDir(dirname(file));
  const secret = randomBytes(32).toString('base64url');
  createPrivateFile(file, secret + '\n');
  return { secret, created: true };
}

/** Starts `mempool ARGS` as a child and resolves with the first match of ready in its output (rejects with its last error line if it exits first). */
function startRole(name: string, args: string[], ready: RegExp): Promise<{ role: Role; match: RegExpMatchArray }> {
  // Its own process group: a Ctrl-C in the terminal reaches only `up`, which stops the roles in order (mount first).
  const child = spawn(process.execPath, [cliScript(), ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  return new Promise((res, rej) => {
    let done = false;
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = out.match(ready);
      if (m && !done) {
        done = true;
        res({ role: { name, child }, match: m });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, sig) => {
      if (done) return;
      done = true;
      const last =
        out
          .trim()
          .split('\n')
          .pop()
          ?.replace(/^mempool: /, '') || `exited (${code ?? sig})`;
      rej(new Error(`the ${name} did not start: ${last}`));
    });
  });
}

/** Forwards a role's further output with a prefix. */
function forward(role: Role): void {
  const pipe = (d: Buffer) => {
    for (const line of d.toString().split('\n')) if (line) process.stderr.write(`[${role.name}] ${line}\n`);
  };
  role.child.stdout!.removeAllListeners('data');
  role.child.stderr!.removeAllListeners('data');
  role.child.stdout!.on('data', pipe);
  role.child.stderr!.on('data', pipe);
}

/** Stops a role: SIGTERM, then SIGKILL after 5 s. */
function stopRole(role: Role): Promise<void> {
  const c = role.child;
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
  return new Promise((res) => {
    const t = setTimeout(() => c.kill('SIGKILL'), 5000);
    c.once('exit', () => {
      clearTimeout(t);
      res();
    });
    c.kill('SIGTERM');
  });
}

/** This machine's first non-internal IPv4 address (for the join commands), or a placeholder. */
function primaryAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return 'THIS_HOST';
}

function isLoopbackHost(h: string): boolean {
  return h === 'localhost' || h === '::1' || h.startsWith('127.');
}

async function upCommand(mountpoint: string, o: UpOptions): Promise<void> {
  const mnt = resolve(mountpoint);
  const listen = typeof o.listen === 'string' ? parseHostPort(o.listen) : o.listen;
  if (o.memory <= 0) throw new Error('--memory must be more than 0 bytes');
  // Before anything starts: a promise the host cannot keep is refused here, not by the OOM killer later.
  const warning = checkMemoryPromise(o.memory, !!o.overcommit);
  if (warning) console.error(`mempool: ${warning}`);

  // The mount point: created if missing; a dead mount left there is cleared first.
  try {
    await fsp.stat(mnt);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTCONN' || code === 'ECONNABORTED') await lazyUnmount(mnt);
    else if (code !== 'ENOENT') throw new Error(`cannot use mount point ${mnt}: ${(err as Error).message}`, { cause: err });
  }
  await fsp.mkdir(mnt, { recursive: true });

  const secretFile = resolve(o.secretFile ?? join(homedir(), '.mempool', 'secret'));
  const { secret, created } = ensureSecret(secretFile);

  // The pool's memory node starts empty, so its metadata does too; the journal lets a crashed manager come back.
  // (Any free port: this run's own directory, as several such pools may run at once.)
  const dataDir = resolve(o.dataDir ?? join(homedir(), '.mempool', listen.port ? `up-${listen.port}` : `up-pid${process.pid}`));
  const holder = parseInt(await fsp.readFile(join(dataDir, 'lock'), 'utf8').catch(() => ''), 10);
  if (holder > 0 && processAlive(holder)) throw new Error(`${dataDir} is used by process ${holder} (another mempool up? choose another --listen HOST:PORT or --data-dir)`);
  await fsp.mkdir(dataDir, { recursive: true, mode: 0o700 });
  await clearJournal(dataDir);

  const roles: Role[] = [];
  let handle: MountHandle | null = null;
  let stopping: Promise<never> | null = null;
  /** Unmounts, stops the children, exits; later calls wait for the first one. */
  const shutdown = (code: number, why?: string): Promise<never> => {
    stopping ??= (async () => {
      if (why) console.error(`mempool: ${why}`);
      if (handle) await handle.unmount().catch((err: Error) => console.error(`mempool: ${err.message}`));
      await Promise.all(roles.map(stopRole));
      // The memory node's RAM is gone: so is what the journal described.
      await clearJournal(dataDir).catch(() => undefined);
      if (!o.dataDir) await fsp.rmdir(dataDir).catch(() => undefined);
      process.exit(code);
    })();
    return stopping;
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => void shutdown(0));

  try {
    const hostArg = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
    const margs = ['manager', '--listen', `${hostArg}:${listen.port}`, '--secret-file', secretFile, '--data-dir', dataDir];
    if (o.chunkSize) margs.push('--chunk-size', String(o.chunkSize));
    const m = await startRole('manager', margs, /listening on (wss?:\/\/\S+)/).catch((err: Error) => {
      throw /EADDRINUSE|address already in use/i.test(err.message)
        ? new Error(`cannot start the manager: ${hostArg}:${listen.port} is already in use (another mempool up? choose another --listen HOST:PORT)`)
        : err;
    });
    roles.push(m.role);
    const url = m.match[1];
    if (url === undefined) throw new Error(`the manager did not report its URL`);

    const remoteOk = !isLoopbackHost(listen.host);
    const advertise = listen.host === '0.0.0.0' || listen.host === '::' ? primaryAddress() : listen.host;
    const nargs = ['node', '--manager', url, '--memory', String(o.memory), '--secret-file', secretFile, '--listen', `${hostArg}:0`];
    if (o.overcommit) nargs.push('--overcommit');
    if (remoteOk) nargs.push('--advertise', advertise);
    const n = await startRole('memory node', nargs, /serving .* on wss?:\/\//);
    roles.push(n.role);
    forward(n.role);
    n.role.child.once('exit', (code, sig) => void shutdown(1, `the memory node stopped (${code ?? sig}); unmounting and stopping`));
    // A manager that dies is started again on the same port and journal: the node and the mount reconnect to it.
    const fixedArgs = margs.map((a) => (a === `${hostArg}:${listen.port}` ? `${hostArg}:${new URL(url).port}` : a));
    const restarts: number[] = [];
    const supervise = (role: Role): void => {
      forward(role);
      role.child.once('exit', (code, sig) => {
        if (stopping) return;
        const now = Date.now();
        restarts.push(now);
        while ((restarts[0] ?? now) < now - 60_000) restarts.shift();
        if (restarts.length > MAX_MANAGER_RESTARTS) return void shutdown(1, `the manager stopped (${code ?? sig}) ${restarts.length} times in a minute; unmounting and stopping`);
        console.error(`mempool: the manager stopped (${code ?? sig}); restarting it from its journal in ${dataDir}`);
        startRole('manager', fixedArgs, /listening on (wss?:\/\/\S+)/).then(
          (r) => {
            roles[roles.indexOf(role)] = r.role;
            if (stopping) return void stopRole(r.role);
            supervise(r.role);
          },
          (err: Error) => void shutdown(1, err.message),
        );
      });
    };
    supervise(m.role);

    const client = await PoolClient.connect(url, { secret, name: `${hostname()}:${mnt}`, cacheBytes: o.cache, names: 'bytes' });
    try {
      handle = await mountPool(client, mnt, { url, handleSignals: false });
    } catch (err) {
      await client.close();
      throw err;
    }
    if (stopping) return;

    const port = new URL(url).port;
    const remoteUrl = `ws://${remoteOk ? advertise : primaryAddress()}:${port}`;
    console.log(`mounted ${url} on ${mnt}`);
    console.log(
      [
        `mempool is up: ${formatSize(o.memory)} of RAM pooled on ${mnt} (manager ${url}, 1 memory node).`,
        `  secret: ${secretFile}${created ? ' (new)' : ''}`,
        `  use it like /tmp:  cp, dd, tar, rsync, ... on ${mnt};  status: mempool status ${url} --secret-file ${secretFile}`,
        `  stop: Ctrl-C here (unmounts, then stops the manager and the memory node)`,
        `Other machines (copy ${secretFile} to them first${remoteOk ? '' : `; this manager listens on ${listen.host} only: restart with  mempool up --listen 0.0.0.0:${listen.port || 7070}`}):`,
        `  add memory:  mempool node --manager ${remoteUrl} --memory 4G --secret-file ${secretFile} --listen 0.0.0.0:0 --advertise THEIR_IP`,
        `  mount:       mempool mount ${remoteUrl} ${DEFAULT_MOUNTPOINT} --secret-file ${secretFile}`,
      ].join('\n'),
    );
    if ((await handle.closed) === 'lost') await shutdown(1, `${mnt} was unmounted from outside; stopping`);
    await shutdown(0);
  } catch (err) {
    await shutdown(1, (err as Error).message);
  }
}
