/** The driver side of bench/fd-agent.ts: a child process doing file I/O on command, one request at a time. */
import { ChildProcess, spawn } from 'child_process';
import { resolve } from 'path';
import { createInterface } from 'readline';
import { onCleanup } from './cleanup';
import { stopChild } from './cluster';

/** A reply from the agent (fields depend on the command). */
export interface AgentReply {
  us?: number;
  text?: string;
  seconds?: number;
  bytes?: number;
  error?: string;
}

/** A running fd-agent process. */
export class Agent {
  private readonly waiting: Array<(r: AgentReply) => void> = [];
  private readonly unregister: () => void;

  private constructor(private readonly child: ChildProcess) {
    this.unregister = onCleanup(() => stopChild(child, 1000));
  }

  /** Starts an agent; resolves once it is ready for commands. */
  static async start(): Promise<Agent> {
    const child = spawn(process.execPath, [resolve(__dirname, 'fd-agent.js')], { stdio: ['pipe', 'pipe', 'inherit'] });
    const agent = new Agent(child);
    const lines = createInterface({ input: child.stdout! });
    await new Promise<void>((res, rej) => {
      child.once('exit', (code) => rej(new Error(`fd-agent exited (${code}) before ready`)));
      lines.once('line', () => res());
    });
    lines.on('line', (l) => agent.waiting.shift()?.(JSON.parse(l) as AgentReply));
    child.on('exit', () => {
      for (const w of agent.waiting.splice(0)) w({ error: 'fd-agent exited' });
    });
    return agent;
  }

  /** Sends one command; resolves with its reply, rejects with the agent's error. */
  async call(cmd: Record<string, unknown>): Promise<AgentReply> {
    const reply = await new Promise<AgentReply>((res) => {
      this.waiting.push(res);
      this.child.stdin!.write(JSON.stringify(cmd) + '\n');
    });
    if (reply.error) throw new Error(`fd-agent ${String(cmd.op)}: ${reply.error}`);
    return reply;
  }

  /** Ends the agent (it closes its descriptors on end of input). */
  async stop(): Promise<void> {
    this.unregister();
    this.child.stdin!.end();
    await stopChild(this.child, 2000).catch(() => undefined);
  }
}
