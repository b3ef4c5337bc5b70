/**
 * The Socket.IO 4 peer: one node of the benchmark, in its own process.
 *
 * Socket.IO's production advice (socket.io/docs/v4/performance-tuning and /using-multiple-nodes):
 * WebSocket transport only (no HTTP long-polling, so no sticky sessions), permessage-deflate off,
 * bufferutil and utf-8-validate installed (ws picks them up), no client bundle served; across nodes
 * the Redis adapter (`@socket.io/redis-adapter` with classic pub/sub; its sharded variant is meant
 * for Redis Cluster, and one Redis serves both nodes here).
 *
 * Env: PORT, HOST (127.0.0.1), NODE_ID, REDIS_URL (set: Redis adapter), ADAPTER_KEY.
 *
 * Events: `join(room, ack)`; `danmu({ch, d}, ack)` → stamps `mid`/`uid`/`off` like our gateway and
 * broadcasts `pub {ch, off, d}` to the room, then acks `{off, mid}`.
 */
import { createServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';

const port = Number(process.env.PORT ?? 0);
const host = process.env.HOST ?? '127.0.0.1';
const nodeId = process.env.NODE_ID ?? 'sio';

const httpServer = createServer();
const io = new Server(httpServer, {
  transports: ['websocket'],
  perMessageDeflate: false,
  httpCompression: false,
  serveClient: false,
  maxHttpBufferSize: 16 * 1024,
});

const redisClients: Redis[] = [];
if (process.env.REDIS_URL) {
  const pubClient = new Redis(process.env.REDIS_URL);
  const subClient = pubClient.duplicate();
  redisClients.push(pubClient, subClient);
  io.adapter(createAdapter(pubClient, subClient, { key: process.env.ADAPTER_KEY ?? 'socket.io' }));
}

let offset = 0;

interface DanmuMessage {
  ch: string;
  d: Record<string, unknown>;
}

function isDanmu(value: unknown): value is DanmuMessage {
  const v = value as DanmuMessage | null;
  return typeof v === 'object' && v !== null && typeof v.ch === 'string' && typeof v.d === 'object';
}

io.on('connection', (socket) => {
  const uid = Number(socket.handshake.auth.uid ?? 0);
  socket.on('join', (room: unknown, ack?: (reply: unknown) => void) => {
    if (typeof room !== 'string') return ack?.({ error: 'room' });
    void socket.join(room);
    ack?.({ ok: true });
  });
  socket.on('danmu', (message: unknown, ack?: (reply: unknown) => void) => {
    if (!isDanmu(message)) return ack?.({ error: 'payload' });
    offset += 1;
    const mid = `${nodeId}-${offset}`;
    io.to(message.ch).emit('pub', { ch: message.ch, off: offset, d: { mid, uid, ...message.d } });
    ack?.({ off: offset, mid });
  });
});

httpServer.listen(port, host, () => {
  process.stdout.write(`${JSON.stringify({ listening: httpServer.address() })}\n`);
});

process.on('SIGTERM', () => {
  void io.close();
  for (const client of redisClients) client.disconnect();
  process.exit(0);
});
