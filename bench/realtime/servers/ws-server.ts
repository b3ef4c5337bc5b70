/**
 * The plain `ws` peer: one node of the benchmark, in its own process. What a small team writes by
 * hand: rooms are Sets of sockets, a broadcast iterates one (the message is serialised once), a
 * heartbeat pings every 30 s and drops sockets that did not answer the previous ping (the `ws`
 * README's recipe). Across nodes, one Redis pub/sub channel: a node broadcasts locally, then
 * publishes `<node>\n<room>\n<message>`; the other nodes broadcast what they did not send.
 *
 * Env: PORT, HOST (127.0.0.1), NODE_ID, REDIS_URL (set: two-node mode), REDIS_CHANNEL.
 *
 * Protocol (JSON text messages): see ../clients/ws-client.ts.
 */
import { createServer } from 'node:http';
import { Redis } from 'ioredis';
import { WebSocket, WebSocketServer } from 'ws';

const port = Number(process.env.PORT ?? 0);
const host = process.env.HOST ?? '127.0.0.1';
const nodeId = process.env.NODE_ID ?? 'ws';
const channel = process.env.REDIS_CHANNEL ?? 'ws-rooms';

const server = createServer();
const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 16 * 1024 });
const rooms = new Map<string, Set<WebSocket>>();
const joined = new WeakMap<WebSocket, Set<string>>();
const silent = new WeakSet<WebSocket>();

function broadcastLocal(room: string, message: Buffer): void {
  const members = rooms.get(room);
  if (!members) return;
  for (const socket of members) {
    if (socket.readyState === WebSocket.OPEN) socket.send(message, { binary: false });
  }
}

let publisher: Redis | undefined;
let subscriber: Redis | undefined;
if (process.env.REDIS_URL) {
  publisher = new Redis(process.env.REDIS_URL);
  subscriber = new Redis(process.env.REDIS_URL);
  await subscriber.subscribe(channel);
  subscriber.on('messageBuffer', (_channel: Buffer, envelope: Buffer) => {
    const first = envelope.indexOf(10);
    const second = envelope.indexOf(10, first + 1);
    if (first < 0 || second < 0) return;
    if (envelope.toString('utf8', 0, first) === nodeId) return;
    broadcastLocal(envelope.toString('utf8', first + 1, second), envelope.subarray(second + 1));
  });
}

let offset = 0;

interface Message {
  type?: unknown;
  rid?: unknown;
  room?: unknown;
  ch?: unknown;
  d?: unknown;
}

wss.on('connection', (socket, request) => {
  const uid = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('uid') ?? 0);
  socket.on('pong', () => silent.delete(socket));
  socket.on('message', (data: Buffer) => {
    let message: Message;
    try {
      message = JSON.parse(data.toString()) as Message;
    } catch {
      socket.close(1007);
      return;
    }
    if (message.type === 'join' && typeof message.room === 'string') {
      let members = rooms.get(message.room);
      if (!members) rooms.set(message.room, (members = new Set()));
      members.add(socket);
      let mine = joined.get(socket);
      if (!mine) joined.set(socket, (mine = new Set()));
      mine.add(message.room);
      socket.send(JSON.stringify({ type: 'joined', rid: message.rid }));
    } else if (
      message.type === 'pub' &&
      typeof message.ch === 'string' &&
      typeof message.d === 'object' &&
      message.d !== null
    ) {
      offset += 1;
      const mid = `${nodeId}-${offset}`;
      const payload = Buffer.from(
        JSON.stringify({ ch: message.ch, off: offset, d: { mid, uid, ...message.d } }),
      );
      broadcastLocal(message.ch, payload);
      if (publisher) {
        void publisher.publish(
          channel,
          Buffer.concat([Buffer.from(`${nodeId}\n${message.ch}\n`), payload]),
        );
      }
      socket.send(JSON.stringify({ type: 'ok', rid: message.rid, off: offset, mid }));
    } else {
      socket.send(JSON.stringify({ type: 'error', rid: message.rid }));
    }
  });
  socket.on('close', () => {
    for (const room of joined.get(socket) ?? []) {
      const members = rooms.get(room);
      members?.delete(socket);
      if (members?.size === 0) rooms.delete(room);
    }
  });
});

const heartbeat = setInterval(() => {
  for (const socket of wss.clients) {
    if (silent.has(socket)) {
      socket.terminate();
      continue;
    }
    silent.add(socket);
    socket.ping();
  }
}, 30_000);

server.listen(port, host, () => {
  process.stdout.write(`${JSON.stringify({ listening: server.address() })}\n`);
});

process.on('SIGTERM', () => {
  clearInterval(heartbeat);
  publisher?.disconnect();
  subscriber?.disconnect();
  process.exit(0);
});
