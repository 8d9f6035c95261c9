/**
 * Runs after the whole suite: kills any process this run's tests started and
 * lazily unmounts FUSE mounts left dead under the temporary folder, so one
 * failure cannot break every later run (other runs' processes are spared).
 */
const { readFileSync, readdirSync, statSync, unlinkSync } = require('fs');
const { spawnSync } = require('child_process');
const { tmpdir } = require('os');

module.exports = async () => {
  const run = process.env.MEMPOOL_TEST_RUN;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      if (env.includes('MEMPOOL_TEST_PROCESS=1') && (!run || env.includes(`MEMPOOL_TEST_RUN=${run}`))) {
        console.error(`global teardown: killing leftover process ${pid}`);
        process.kill(Number(pid), 'SIGKILL');
      }
    } catch {
      // the process is gone or not ours to read: nothing to clean up
    }
  }
  await new Promise((r) => setTimeout(r, 200));
  let mounts = [];
  try {
    mounts = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' '))
      .filter((f) => f[2] && f[2].startsWith('fuse') && f[1].startsWith(tmpdir()));
  } catch {
    // no /proc/mounts: nothing to unmount
  }
  for (const m of mounts) {
    const path = m[1].replace(/\\040/g, ' ');
    try {
      statSync(path);
      continue; // still served by a live process (another run's)
    } catch (err) {
      if (err.code !== 'ENOTCONN') continue;
    }
    console.error(`global teardown: unmounting leftover ${path}`);
    spawnSync('fusermount', ['-uz', path]);
  }
  // test hosts (test/helpers/netns.ts): namespaces mp-* and bridges mpbr* whose maker is gone (another run's live ones stay)
  const netns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  for (const line of (netns.stdout || '').split('\n')) {
    const name = line.split(' ')[0];
    if (name.startsWith('mp-') && !ownerAlive(name)) removeNet(['netns', 'del', name], name);
  }
  const links = spawnSync('ip', ['-o', 'link', 'show', 'type', 'bridge'], { encoding: 'utf8' });
  for (const m of (links.stdout || '').matchAll(/^\d+: (mpbr[^:@\s]*)/gm)) if (!ownerAlive(m[1])) removeNet(['link', 'del', m[1]], m[1]);
};

/** Where test/helpers/netns.ts records the pid that made each namespace and bridge. */
const OWNERS = '/run/mempool-test-netns';

/** True when the process that made this namespace or bridge still runs (another run's test). */
function ownerAlive(name) {
  try {
    process.kill(Number(readFileSync(`${OWNERS}/${name}`, 'utf8')), 0);
    return true;
  } catch {
    return false; // no record (a crashed run of older code) or its maker is gone
  }
}

function removeNet(args, name) {
  spawnSync('ip', args);
  try {
    unlinkSync(`${OWNERS}/${name}`);
  } catch {
    // no record
  }
}
