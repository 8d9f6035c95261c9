/**
 * Benchmark dispatcher: `node dist/bench/run.js core|fs|coherence|all ...`
 * runs the named suites from the registry in suites.ts, and stops every
 * process they started at the end, on error and on SIGINT/SIGTERM.
 */
import { runCleanup } from './cleanup';
import { stopAllChildren } from './cluster';
import { suites } from './suites';

/** Stops everything this run started. */
async function cleanupAll(): Promise<void> {
  await runCleanup();
  await stopAllChildren();
}

/** Resolves the suite names from the command line; exits 2 with the list of suites for an unknown one. */
function selected(args: string[]): string[] {
  const names = Object.keys(suites);
  const usage = `usage: npm run bench -- <${[...names, 'all'].join('|')}> ...\n${names.map((n) => `  ${n.padEnd(10)} ${suites[n]?.description ?? ''}`).join('\n')}`;
  if (args.length === 0 || args.includes('-h') || args.includes('--help')) {
    console.error(usage);
    process.exit(args.length === 0 ? 2 : 0);
  }
  const out: string[] = [];
  for (const a of args) {
    if (a === 'all') out.push(...names);
    else if (suites[a]) out.push(a);
    else {
      console.error(`bench: unknown suite "${a}" (known: ${[...names, 'all'].join(', ')})`);
      process.exit(2);
    }
  }
  return [...new Set(out)];
}

/** Runs the selected suites one after the other. */
async function main(): Promise<void> {
  const names = selected(process.argv.slice(2));
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      console.error(`\nbench: ${sig}, stopping every process started`);
      void cleanupAll().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
    });
  }
  for (const name of names) {
    const t0 = Date.now();
    console.log(`== bench ${name} ==`);
    const suite = suites[name];
    if (!suite) throw new Error(`unknown suite ${name}`);
    await suite.run();
    console.log(`== ${name} done in ${((Date.now() - t0) / 1000).toFixed(0)} s ==`);
  }
}

main()
  .then(cleanupAll)
  .then(() => process.exit(0))
  .catch(async (err: Error) => {
    console.error(`bench: ${err.stack ?? err.message}`);
    await cleanupAll();
    process.exit(1);
  });
