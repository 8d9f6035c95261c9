/**
 * Runs after the whole suite: lazily unmounts any FUSE mount left under the
 * temporary folder and kills any process a test started, so one failure
 * cannot break every later run.
 */
const { readFileSync, readdirSync } = require('fs');
const { spawnSync } = require('child_process');
const { tmpdir } = require('os');

module.exports = async () => {
  let mounts = [];
  try {
    mounts = readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' ')).filter((f) => f[2] && f[2].startsWith('fuse') && f[1].startsWith(tmpdir()));
  } catch {}
  for (const m of mounts) {
    const path = m[1].replace(/\\040/g, ' ');
    console.error(`global teardown: unmounting leftover ${path}`);
    spawnSync('fusermount', ['-uz', path]);
  }
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes('MEMPOOL_TEST_PROCESS=1')) {
        console.error(`global teardown: killing leftover process ${pid}`);
        process.kill(Number(pid), 'SIGKILL');
      }
    } catch {}
  }
  // test hosts (test/helpers/netns.ts): namespaces mp-* and bridges mpbr*
  const netns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  for (const line of (netns.stdout || '').split('\n')) {
    const name = line.split(' ')[0];
    if (name.startsWith('mp-')) spawnSync('ip', ['netns', 'del', name]);
  }
  const links = spawnSync('ip', ['-o', 'link', 'show', 'type', 'bridge'], { encoding: 'utf8' });
  for (const m of (links.stdout || '').matchAll(/^\d+: (mpbr[^:@\s]*)/gm)) spawnSync('ip', ['link', 'del', m[1]]);
};
