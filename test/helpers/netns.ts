/**
 * Test hosts on one machine: each host is a network namespace with its own
 * address on a private bridge, so a test can cut one host's link to another.
 * Processes enter only the network namespace (nsenter --net), keeping the
 * machine's mount namespace, so a FUSE mount made "on" a host is visible to
 * the test.
 */
import { execFileSync } from 'child_process';
import { mkdirSync, rmSync, writeFileSync } from 'fs';

/** Where each namespace and bridge names the process that made it, so a teardown removes only those whose maker is gone. */
const NETNS_OWNERS = '/run/mempool-test-netns';

function own(name: string): void {
  mkdirSync(NETNS_OWNERS, { recursive: true });
  writeFileSync(`${NETNS_OWNERS}/${name}`, String(process.pid));
}

function disown(name: string): void {
  rmSync(`${NETNS_OWNERS}/${name}`, { force: true });
}

/** One test host. */
export interface Host {
  name: string;
  ip: string;
  /** Prefix for spawning a command inside the host's network namespace. */
  prefix: string[];
}

/** A private network of test hosts. */
export interface TestNet {
  hosts: Map<string, Host>;
  /** Drops every packet from host `from` to host `to` (both directions stall, as a cut link does). */
  cut(from: string, to: string): void;
  /** Undoes cut(). */
  heal(from: string, to: string): void;
  destroy(): void;
}

function run([cmd, ...args]: string[]): void {
  if (cmd === undefined) throw new Error('run: empty command');
  execFileSync(cmd, args, { stdio: 'pipe' });
}

/** True when this machine lets the tests create network namespaces (root, iproute2). */
export function netnsAvailable(): boolean {
  try {
    run(['ip', 'netns', 'add', 'mempool-probe']);
    run(['ip', 'netns', 'del', 'mempool-probe']);
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates hosts named by `names` on bridge 10.199.<subnet>.0/24 (unique per test file). Names carry this process's id,
 * so two runs of one test file at once (CI beside a developer's run) never take each other's namespaces.
 */
export function createNet(tag: string, names: string[], subnet: number): TestNet {
  const run36 = (process.pid % 46656).toString(36); // at most 3 characters: interface names have 15
  tag = `${tag.slice(0, 4)}${run36}`;
  const bridge = `mpbr${tag}`.slice(0, 15);
  const hosts = new Map<string, Host>();
  const nsName = (n: string) => `mp-${tag}-${n}`;
  const destroy = () => {
    for (const n of names) {
      try {
        run(['ip', 'netns', 'del', nsName(n)]);
      } catch {
        // already gone
      }
      disown(nsName(n));
    }
    try {
      run(['ip', 'link', 'del', bridge]);
    } catch {
      // already gone
    }
    disown(bridge);
  };
  destroy();
  own(bridge);
  run(['ip', 'link', 'add', bridge, 'type', 'bridge']);
  run(['ip', 'link', 'set', bridge, 'up']);
  names.forEach((n, i) => {
    const ns = nsName(n);
    const ip = `10.199.${subnet}.${i + 1}`;
    const hostSide = `mpv${tag}${i}`.slice(0, 15);
    own(ns);
    run(['ip', 'netns', 'add', ns]);
    run(['ip', 'link', 'add', hostSide, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    run(['ip', 'link', 'set', hostSide, 'master', bridge, 'up']);
    run(['ip', '-n', ns, 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
    run(['ip', '-n', ns, 'link', 'set', 'eth0', 'up']);
    run(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    hosts.set(n, { name: n, ip, prefix: ['nsenter', `--net=/var/run/netns/${ns}`, '--'] });
  });
  const route = (verb: 'add' | 'del', from: string, to: string) => {
    const a = hosts.get(from)!;
    const b = hosts.get(to)!;
    run(['ip', '-n', nsName(from), 'route', verb, 'blackhole', `${b.ip}/32`]);
    run(['ip', '-n', nsName(to), 'route', verb, 'blackhole', `${a.ip}/32`]);
  };
  return {
    hosts,
    cut: (from, to) => route('add', from, to),
    heal: (from, to) => route('del', from, to),
    destroy,
  };
}
