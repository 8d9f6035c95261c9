#!/usr/bin/env node
/** The `mempool` command: one CLI, one subcommand per role. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { formatSize } from '../size';
import { resolve } from 'path';
import { checkClientSecrets, ClientSecret, Manager, roleSecretsOf } from '../manager/manager';
import { DEFAULT_MAX_XATTR_BYTES, DEFAULT_MAX_XATTR_TOTAL } from '../manager/namespace';
import { Journal } from '../manager/log/journal';
import { EtcdLog } from '../manager/log/etcd-log';
import { parseEtcdUrl } from '../manager/log/etcd-url';
import { Leadership } from '../manager/ha';
import { MemoryNode } from '../node/memory-node';
import { checkMemoryPromise } from '../node/host-memory';
import { PoolClient } from '../client/pool-client';
import { parseHostPort, positiveInt, roleSecret, security, SecurityOptions, sizeArg, wsUrl, onSignals } from './options';
import { PoolStatus, MetadataStatus } from '../types';
import { CAP_TTL_MS } from '../limits';
import { registerMountCommands } from './mount-commands';
import { formatQuota, registerQuotaCommand } from './quota-command';

const program = new Command();
program
  .name('mempool')
  .description('Pool the RAM of a cluster and mount it everywhere as one shared, tmpfs-like file system.')
  .configureOutput({ outputError: (str, write) => write(str.split('\n')[0] + '\n') })
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));

/** Adds the secret and TLS options every networked command takes. */
function withSecurity(cmd: Command, listener: boolean): Command {
  cmd.option('--secret-file <file>', "file holding this role's secret, or the one secret of every role (default: $MEMPOOL_SECRET)");
  if (listener) {
    cmd.option('--tls-cert <file>', 'PEM certificate: serve wss:// instead of ws://');
    cmd.option('--tls-key <file>', 'PEM private key for --tls-cert');
  }
  cmd.option('--tls-ca <file>', 'extra CA certificate (PEM) to trust for wss:// (default: $MEMPOOL_TLS_CA)');
  return cmd;
}

/** A long-running role keeps serving after a stray rejection: one failed background task must not take the pool down. */
function logStrayErrors(role: string): void {
  process.on('unhandledRejection', (err) => console.error(`mempool ${role}: unhandled rejection: ${(err as Error)?.stack ?? String(err)}`));
}

/** Prints an error in one line and exits non-zero. */
function fail(err: unknown): never {
  console.error(`mempool: ${(err as Error).message ?? err}`);
  process.exit(1);
}

/** The manager command's flags. */
interface ManagerFlags {
  listen: { host: string; port: number } | string;
  chunkSize?: number;
  replicas?: number;
  leaseTerm: number;
  capTtl: number;
  repairAfter: number;
  repairRate: number;
  reconcileEvery: number;
  maxFiles: number;
  maxXattrBytes: number;
  maxXattrTotal: number;
  dataDir?: string;
  meta?: string;
  advertise?: string;
  clientSecretFile?: string[];
  squashedClientSecretFile?: string[];
  nodeSecretFile?: string;
  operatorSecretFile?: string;
  maxNodeMemory?: number;
  squashRoot?: boolean;
}

/** Collects a repeatable option's values. */
function repeatable(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * The manager's client secrets: each --client-secret-file (none given: the common secret), then each
 * --squashed-client-secret-file, whose holders' uid and gid 0 are squashed.
 */
function clientSecrets(common: string, o: ManagerFlags): ClientSecret[] {
  const full = o.clientSecretFile?.map((f) => roleSecret('', f)) ?? [common];
  const squashed = o.squashedClientSecretFile?.map((f) => roleSecret('', f)) ?? [];
  return [...full.map((secret) => ({ secret, squashRoot: false })), ...squashed.map((secret) => ({ secret, squashRoot: true }))];
}

/** Checks an etcd:// URL for commander. */
function etcdUrl(text: string): string {
  try {
    parseEtcdUrl(text);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  return text;
}

/** Default --max-files: 4 Mi inodes (a few GB of manager memory at most). */
const DEFAULT_MAX_FILES = 4 * 1024 * 1024;

withSecurity(
  program
    .command('manager')
    .description('run the manager: namespace, placement, leases, membership')
    .addOption(new Option('--listen <host:port>', 'address to listen on').default('127.0.0.1:7070').argParser(parseHostPort))
    .addOption(new Option('--chunk-size <size>', 'bytes per chunk (e.g. 1MiB)').argParser(sizeArg))
    .addOption(new Option('--replicas <n>', 'replicas per chunk (default: 2 when 2+ nodes are up)').argParser(positiveInt))
    .addOption(new Option('--lease-term <seconds>', 'lease term: a silent client loses its leases after this plus 1 s').default(5).argParser(positiveInt))
    .addOption(new Option('--cap-ttl <seconds>', 'lifetime of the chunk capabilities clients get (they ask again before it ends)').default(CAP_TTL_MS / 1000).argParser(positiveInt))
    .addOption(new Option('--repair-after <seconds>', 'a memory node gone this long has its chunks copied to other nodes').default(30).argParser(positiveInt))
    .addOption(new Option('--repair-rate <size>', 'bytes per second re-replication and draining may copy').default(256 * 1024 * 1024, '256MiB').argParser(sizeArg))
    .addOption(
      new Option('--reconcile-every <seconds>', "how often each memory node's chunks are checked against the chunk map (orphans, stale replicas, data past a file's size)")
        .default(30)
        .argParser(positiveInt),
    )
    .addOption(new Option('--data-dir <dir>', 'keep the metadata in a journal in DIR (replayed at restart); without it the metadata is volatile').conflicts('meta'))
    .addOption(new Option('--meta <url>', 'keep the metadata in etcd (etcd://HOST:PORT[,HOST:PORT...]/PREFIX); several managers on one prefix: one leads, the others stand by').argParser(etcdUrl))
    .option('--advertise <url>', 'with --meta: the URL standbys send clients to when this manager leads (default: the listening URL)', wsUrl)
    .addOption(new Option('--max-files <n>', 'most files and directories in the pool, the root included (ENOSPC beyond, as tmpfs nr_inodes)').default(DEFAULT_MAX_FILES).argParser(positiveInt))
    .addOption(new Option('--max-xattr-bytes <size>', "most bytes of one file's xattrs, names plus values (ENOSPC beyond)").default(DEFAULT_MAX_XATTR_BYTES, '1MiB').argParser(sizeArg))
    .addOption(new Option('--max-xattr-total <size>', 'most xattr bytes in the whole pool (ENOSPC beyond)').default(DEFAULT_MAX_XATTR_TOTAL, '256MiB').argParser(sizeArg))
    .option('--client-secret-file <file>', 'a secret of clients (mounts, API): file system calls; repeat for several (default: --secret-file)', repeatable)
    .option('--squashed-client-secret-file <file>', "a client secret whose holders' uid and gid 0 are mapped to nobody (65534), as NFS root_squash; repeatable", repeatable)
    .option('--node-secret-file <file>', 'secret of memory nodes (default: --secret-file)')
    .option('--operator-secret-file <file>', 'secret of operators: status, quota get and drain only (default: --secret-file)')
    .addOption(new Option('--max-node-memory <size>', 'largest capacity a memory node may declare; a larger one counts as this').argParser(sizeArg))
    .option('--squash-root', "map every client's uid and gid 0 to nobody (65534), as NFS root_squash: a client host's root is not root in the pool"),
  true,
).action(async (o: SecurityOptions & ManagerFlags) => {
  logStrayErrors('manager');
  try {
    const addr = typeof o.listen === 'string' ? parseHostPort(o.listen) : o.listen;
    const sec = security(o);
    const secrets = { clients: clientSecrets(sec.secret, o), node: roleSecret(sec.secret, o.nodeSecretFile), operator: roleSecret(sec.secret, o.operatorSecretFile) };
    checkClientSecrets(secrets.clients);
    const etcd = o.meta ? EtcdLog.fromUrl(o.meta) : undefined;
    const m = new Manager({
      ...addr,
      secret: sec.secret,
      secrets,
      maxNodeMemory: o.maxNodeMemory,
      tlsCert: sec.tlsCert,
      tlsKey: sec.tlsKey,
      chunkSize: o.chunkSize,
      replicas: o.replicas,
      leaseTermMs: o.leaseTerm * 1000,
      capTtlMs: o.capTtl * 1000,
      repairAfterMs: o.repairAfter * 1000,
      repairBytesPerSec: Math.max(1, o.repairRate),
      reconcileMs: o.reconcileEvery * 1000,
      maxFiles: o.maxFiles,
      maxXattrBytes: o.maxXattrBytes,
      maxXattrTotal: o.maxXattrTotal,
      squashRoot: o.squashRoot === true,
      metaLog: etcd ?? (o.dataDir ? new Journal(resolve(o.dataDir)) : undefined),
      // The state is then ahead of the log: stop, and let a restart replay what is durable.
      onLogFailure: (err) => {
        console.error(`mempool manager: metadata log failed, stopping: ${err.message}`);
        process.exit(1);
      },
    });
    if (etcd) {
      // Losing leadership stops this process at once (exit 1): no reply can leave it after a standby took over; a supervisor restarts it as a standby.
      const ha = new Leadership({
        log: etcd,
        manager: m,
        ...addr,
        secret: roleSecretsOf(secrets),
        tlsCert: sec.tlsCert,
        tlsKey: sec.tlsKey,
        advertise: o.advertise,
        onLost: (err) => {
          console.error(`mempool manager: leadership lost, stopping: ${err.message}`);
          process.exit(1);
        },
      });
      let leading = false;
      onSignals(async () => {
        if (leading) await m.stop();
        else {
          await ha.stop();
          await etcd.close();
        }
      });
      const url = await ha.standBy();
      console.log(`mempool manager standing by on ${url}`);
      await ha.lead();
      leading = true;
      console.log(`mempool manager listening on ${m.url}`);
      return;
    }
    await m.start();
    onSignals(() => m.stop()); // before the ready line: whoever waits for it may signal at once
    console.log(`mempool manager listening on ${m.url}`);
  } catch (err) {
    fail(err);
  }
});

withSecurity(
  program
    .command('node')
    .description('run a memory node that contributes RAM to the pool')
    .requiredOption('--manager <url>', 'manager URL (ws://HOST:PORT)', wsUrl)
    .requiredOption('--memory <size>', 'RAM to contribute, e.g. 512MiB or 4G', sizeArg)
    .addOption(new Option('--listen <host:port>', 'address for chunk traffic (port 0: any free port)').default('127.0.0.1:0').argParser(parseHostPort))
    .option('--advertise <host>', 'address clients use to reach this node (default: the listen address)')
    .option('--overcommit', 'allow --memory beyond what this host can give (RAM or cgroup limit, less a reserve)')
    .option('--node-secret-file <file>', 'the node secret (default: --secret-file)')
    .option('--client-secret-file <file>', 'a client secret (repeatable): serve clients before the manager hands over their keys (default: wait for them)', repeatable),
  true,
).action(
  async (
    o: SecurityOptions & {
      manager: string;
      memory: number;
      listen: { host: string; port: number } | string;
      advertise?: string;
      overcommit?: boolean;
      nodeSecretFile?: string;
      clientSecretFile?: string[];
    },
  ) => {
    logStrayErrors('node');
    try {
      const addr = typeof o.listen === 'string' ? parseHostPort(o.listen) : o.listen;
      if (o.memory <= 0) throw new Error('--memory must be more than 0 bytes');
      const warning = checkMemoryPromise(o.memory, !!o.overcommit);
      if (warning) console.error(`mempool: ${warning}`);
      const sec = security(o);
      const node = new MemoryNode({
        managerUrl: o.manager,
        memory: o.memory,
        ...addr,
        advertiseHost: o.advertise,
        ...sec,
        secret: roleSecret(sec.secret, o.nodeSecretFile),
        clientSecrets: o.clientSecretFile?.map((f) => roleSecret('', f)),
      });
      onSignals(() => node.stop());
      await node.start();
      console.log(`mempool node ${node.id} serving ${formatSize(o.memory)} on ${node.url}`);
    } catch (err) {
      fail(err);
    }
  },
);

withSecurity(
  program.command('status').description("show the pool's capacity, usage, nodes and clients").argument('<url>', 'manager URL (ws://HOST:PORT)', wsUrl).option('--json', 'print machine-readable JSON'),
  false,
).action(async (url: string, o: SecurityOptions & { json?: boolean }) => {
  try {
    const sec = security(o);
    const client = await PoolClient.connect(url, { secret: sec.secret, ca: sec.ca, role: 'operator', connectTimeoutMs: 5000 });
    const st = await client.status();
    await client.close();
    console.log(o.json ? JSON.stringify(st, null, 2) : formatStatus(st));
    process.exit(0);
  } catch (err) {
    fail(err);
  }
});

withSecurity(
  program
    .command('drain')
    .description('move every chunk off a memory node (files stay in use), then say it may leave')
    .argument('<url>', 'manager URL (ws://HOST:PORT)', wsUrl)
    .argument('<node>', 'memory node id (as `mempool status` shows it)')
    .option('--no-wait', 'start the drain and return'),
  false,
).action(async (url: string, node: string, o: SecurityOptions & { wait: boolean }) => {
  try {
    const sec = security(o);
    const client = await PoolClient.connect(url, { secret: sec.secret, ca: sec.ca, role: 'operator', connectTimeoutMs: 5000 });
    const total = await client.drain(node);
    const tty = process.stdout.isTTY;
    const show = (left: number) => {
      const done = total - Math.min(left, total);
      const pct = total ? Math.floor((100 * done) / total) : 100;
      if (tty) {
        const bar = '#'.repeat(Math.floor(pct / 5)).padEnd(20, '.');
        process.stdout.write(`\rdraining ${node} [${bar}] ${pct}% (${done}/${total} chunks)`);
      } else console.log(`draining ${node}: ${done}/${total} chunks moved`);
    };
    let left = total;
    show(left);
    while (o.wait && left > 0) {
      await new Promise((r) => setTimeout(r, tty ? 250 : 1000));
      const st = await client.status(0);
      left = st.drains?.find((d) => d.node === node)?.chunks ?? 0;
      show(left);
    }
    if (tty) process.stdout.write('\n');
    console.log(o.wait ? `memory node ${node} holds no chunk any more: it may be stopped` : `draining ${node} (${total} chunks)`);
    await client.close();
    process.exit(0);
  } catch (err) {
    fail(err);
  }
});

/** Human-readable status table. */
function formatStatus(st: PoolStatus): string {
  const lines = [
    `capacity ${formatSize(st.capacity)}, used ${formatSize(st.used)} (${formatSize(st.allocated)} allocated), chunk size ${formatSize(st.chunkSize)}, replicas ${st.replicas}`,
    `${st.files} files, ${st.directories} directories, ${st.chunks} chunks, ${st.clients} clients`,
    `leases: ${st.leases.held} held, ${st.leases.recalls} recalls, ${st.leases.expired} expired, ${st.leases.uncachedFiles} files uncached; ${st.repairs} chunk copies made after node failures`,
    ...(st.metadata ? formatMetadata(st.metadata) : []),
    ...(st.underReplicatedChunks !== undefined
      ? [
          `replication: ${st.underReplicatedChunks} chunks under-replicated, ${st.staleReplicas ?? 0} stale replicas, ${formatSize(st.orphanedBytes ?? 0)} orphaned` +
            (st.repair ? `; repair: ${st.repair.pending} pending, ${st.repair.active} copying, ${st.repair.copies} copies (${formatSize(st.repair.bytesCopied)})` : ''),
        ]
      : []),
    ...(st.drains ?? []).map((d) => `draining ${d.node}: ${d.chunks} chunks left`),
    'clients:',
  ];
  for (const c of st.clientDetails) {
    const total = (c.hits ?? 0) + (c.misses ?? 0);
    const rate = total ? `${((100 * (c.hits ?? 0)) / total).toFixed(1)}% cache hits` : 'no cached reads yet';
    lines.push(`  ${c.connected ? 'up  ' : 'gone'} ${c.name} ${c.id}  ${c.leases} leases, ${rate}, ${formatSize(c.cleanBytes ?? 0)} cached, ${formatSize(c.dirtyBytes ?? 0)} dirty`);
  }
  if (st.quotas?.length) {
    lines.push('quotas:');
    for (const q of st.quotas) lines.push(`  ${formatQuota(q)}`);
  }
  lines.push('nodes:');
  for (const n of st.nodes) {
    lines.push(`  ${n.alive ? 'up  ' : 'DOWN'} ${n.id}  ${n.url}  ${formatSize(n.used)} / ${formatSize(n.capacity)}  ${n.chunks} chunks`);
  }
  return lines.join('\n');
}

/** The metadata lines of status: the log and its position, the managers, and the last start or takeover. */
function formatMetadata(m: MetadataStatus): string[] {
  const lines = [`metadata: ${m.log}, record ${m.seq}${m.revision ? ` (etcd revision ${m.revision})` : ''}, epoch floor ${m.epochFloor}`];
  if (m.leader !== undefined || m.standbys) lines.push(`managers: leader ${m.leader ?? 'none'}; standbys ${m.standbys?.length ? m.standbys.join(', ') : 'none'}`);
  const s = m.lastStart;
  if (s) {
    const when = new Date(s.at).toISOString();
    const how =
      s.kind === 'takeover'
        ? `took over${s.previous ? ` from ${s.previous}` : ''} at ${when}, serving ${(s.durationMs / 1000).toFixed(2)} s after the old leader's etcd key went`
        : `${s.kind === 'restart' ? 'restarted' : 'started'} at ${when}, serving ${(s.durationMs / 1000).toFixed(2)} s after the process start`;
    lines.push(`last start: ${how}; ${s.records} records applied`);
  }
  return lines;
}

registerMountCommands(program);
registerQuotaCommand(program);

program.parseAsync(process.argv).catch(fail);
