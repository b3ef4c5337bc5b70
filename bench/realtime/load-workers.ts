import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { spawnNode, stopProcess } from './child-processes.ts';
import type { Command, Reply } from './worker-protocol.ts';

type CommandBody = Command extends infer C ? (C extends Command ? Omit<C, 'id'> : never) : never;

const workerScript = fileURLToPath(new URL('./load-worker.ts', import.meta.url));

/** The orchestrator's handle on one load-worker process (load-worker.ts). */
export class LoadWorker {
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: Reply) => void>();

  private constructor(readonly child: ChildProcess) {
    child.on('message', (reply: Reply) => {
      const resolve = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      resolve?.(reply);
    });
    child.on('exit', (code, signal) => {
      for (const resolve of this.waiting.values()) {
        resolve({ id: 0, ok: false, error: `worker exited (${code ?? signal})` });
      }
      this.waiting.clear();
    });
  }

  static async start(): Promise<LoadWorker> {
    const child = spawnNode(['--import', 'tsx', workerScript], process.env, [
      'ignore',
      'inherit',
      'inherit',
      'ipc',
    ]);
    const [hello] = (await once(child, 'message')) as [Reply];
    if (!hello.ok) throw new Error('load worker failed to start');
    return new LoadWorker(child);
  }

  async send(command: CommandBody): Promise<Reply & { ok: true }> {
    const id = this.nextId++;
    const reply = await new Promise<Reply>((resolve) => {
      this.waiting.set(id, resolve);
      this.child.send({ ...command, id });
    });
    if (!reply.ok) throw new Error(`load worker: ${reply.error}`);
    return reply;
  }

  async stop(): Promise<void> {
    if (this.child.connected) {
      await this.send({ cmd: 'close' }).catch(() => undefined);
    }
    await stopProcess(this.child, 5_000);
  }
}
