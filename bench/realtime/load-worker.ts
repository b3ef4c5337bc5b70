/**
 * A load-generator process: opens subscribers or publishers of one system when the orchestrator
 * (bench/realtime.ts) asks, publishes on a schedule, and reports what its connections saw per
 * measurement window. Never runs in a server's process. Commands and replies: worker-protocol.ts.
 */
import { bingeClient } from './clients/binge-client.ts';
import { socketioClient } from './clients/socketio-client.ts';
import type { Connection, Publisher, SystemClient } from './clients/system-client.ts';
import { wsClient } from './clients/ws-client.ts';
import { forwardedFor } from './addresses.ts';
import { clockMs, danmuSend } from './danmu-payload.ts';
import { Tally } from './tally.ts';
import type { Command, OpenReport, Reply, SystemName } from './worker-protocol.ts';

const clients: Record<SystemName, SystemClient> = {
  binge: bingeClient,
  socketio: socketioClient,
  ws: wsClient,
};

const tally = new Tally();
const connections: Connection[] = [];
const publishers: { publisher: Publisher; index: number }[] = [];
const timers: NodeJS.Timeout[] = [];

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function openMany(
  count: number,
  concurrency: number,
  open: (i: number) => Promise<Connection>,
): Promise<OpenReport> {
  const started = clockMs();
  let next = 0;
  let opened = 0;
  const failures: string[] = [];
  async function lane() {
    while (next < count) {
      const i = next++;
      try {
        connections.push(await open(i));
        opened += 1;
      } catch (error) {
        failures.push(errorText(error));
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return {
    opened,
    failed: failures.length,
    failures: [...new Set(failures)].slice(0, 5),
    seconds: (clockMs() - started) / 1000,
  };
}

async function handle(command: Command): Promise<Reply> {
  switch (command.cmd) {
    case 'subscribe': {
      const client = clients[command.system];
      const open = await openMany(command.count, command.concurrency, (i) =>
        client.subscriber(
          command.targets[i % command.targets.length]!,
          command.room,
          {
            localAddress: command.localAddress,
            forwardedFor: forwardedFor(command.firstIndex + i),
          },
          tally,
          (command.firstIndex + i) % command.latencyEvery === 0,
        ),
      );
      return { id: command.id, ok: true, open };
    }
    case 'publishers': {
      const client = clients[command.system];
      const open = await openMany(command.publishers.length, 25, async (i) => {
        const publisher = await client.publisher(
          command.targets[i % command.targets.length]!,
          command.room,
          command.publishers[i]!,
          tally,
        );
        publishers.push({ publisher, index: i });
        return publisher;
      });
      return { id: command.id, ok: true, open };
    }
    case 'start': {
      // Each publisher sends once per interval; their phases are spread evenly over it.
      const phase = command.intervalMs / Math.max(publishers.length, 1);
      publishers.forEach(({ publisher, index }, slot) => {
        let sequence = 0;
        const send = () => {
          tally.sent();
          const sentAt = clockMs();
          void publisher
            .publish(danmuSend(index, sequence++, sentAt, command.cmidPrefix))
            .then((outcome) => tally.answered(outcome, clockMs() - sentAt));
        };
        timers.push(
          setTimeout(() => {
            send();
            timers.push(setInterval(send, command.intervalMs));
          }, slot * phase),
        );
      });
      return { id: command.id, ok: true };
    }
    case 'mark':
      return {
        id: command.id,
        ok: true,
        window: tally.take(connections.filter((c) => c.isOpen()).length),
      };
    case 'close': {
      for (const timer of timers) clearTimeout(timer);
      for (const connection of connections) connection.close();
      return { id: command.id, ok: true };
    }
  }
}

process.on('message', (command: Command) => {
  handle(command).then(
    (reply) => process.send!(reply),
    (error: unknown) => process.send!({ id: command.id, ok: false, error: errorText(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
process.send!({ id: 0, ok: true });
