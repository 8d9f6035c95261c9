/** Parsers and shared option handling for the CLI: every bad value becomes a one-line error. */
import { InvalidArgumentError } from 'commander';
import { readFileSync } from 'fs';
import { loadSecret, readSecretFile } from '../../transport';
import { parseSize } from '../size';

/** Parses HOST:PORT (IPv6 in brackets); port 0 picks a free one. */
export function parseHostPort(text: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:\s]+):(\d{1,5})$/.exec(text);
  if (!m) throw new InvalidArgumentError(`expected HOST:PORT, e.g. 127.0.0.1:7070`);
  const [, host, portText] = m;
  if (host === undefined || portText === undefined) throw new InvalidArgumentError(`expected HOST:PORT, e.g. 127.0.0.1:7070`);
  const port = Number(portText);
  if (port > 65535) throw new InvalidArgumentError(`port ${port} is out of range 0..65535`);
  return { host: host.replace(/^\[|\]$/g, ''), port };
}

/** Parses a size such as 512MiB or 4G for commander. */
export function sizeArg(text: string): number {
  try {
    return parseSize(text);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

/** Parses a positive integer for commander. */
export function positiveInt(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`expected a whole number >= 1, got "${text}"`);
  return n;
}

/** Parses a duration in seconds (a whole or decimal number > 0, e.g. 60 or 0.5) for commander; returns ms. */
export function secondsArg(text: string): number {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(n > 0) || n > 365 * 86400) throw new InvalidArgumentError(`expected a number of seconds > 0, got "${text}"`);
  return Math.round(n * 1000);
}

/** Checks a ws:// or wss:// URL argument, or a comma-separated list of them (several managers: the link follows the leader). */
export function wsUrl(text: string): string {
  const urls = text.split(',').map((u) => u.trim());
  for (const one of urls) {
    let u: URL;
    try {
      u = new URL(one);
    } catch {
      throw new InvalidArgumentError(`"${one}" is not a URL; expected ws://HOST:PORT or wss://HOST:PORT (several: comma-separated)`);
    }
    if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new InvalidArgumentError(`"${one}" must start with ws:// or wss://`);
  }
  return urls.map((u) => u.replace(/\/$/, '')).join(',');
}

/** Options every networked command shares. */
export interface SecurityOptions {
  secretFile?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
}

/** The secret and TLS material named by the options (secret file, else MEMPOOL_SECRET). */
export function security(o: SecurityOptions): { secret: string; tlsCert?: string; tlsKey?: string; ca?: Buffer } {
  const ca = o.tlsCa ?? process.env.MEMPOOL_TLS_CA;
  let caBuf: Buffer | undefined;
  if (ca) {
    try {
      caBuf = readFileSync(ca);
    } catch (err) {
      throw new Error(`cannot read CA certificate ${ca}: ${(err as Error).message}`, { cause: err });
    }
  }
  return { secret: loadSecret(o.secretFile), tlsCert: o.tlsCert, tlsKey: o.tlsKey, ca: caBuf };
}

/** A role's secret: its own file when given, else the common one (--secret-file or MEMPOOL_SECRET). */
export function roleSecret(common: string, file?: string): string {
  return file ? readSecretFile(file) : common;
}

/** Runs cleanup once on SIGINT/SIGTERM, then exits. */
export function onSignals(cleanup: () => Promise<void>): void {
  let stopping = false;
  const stop = (sig: string) => {
    if (stopping) return;
    stopping = true;
    cleanup()
      .catch((err: Error) => console.error(`mempool: error while stopping: ${err.message}`))
      .finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
