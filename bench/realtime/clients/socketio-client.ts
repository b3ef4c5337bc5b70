/**
 * Socket.IO's client for the load workers: socket.io-client with the WebSocket transport only (no
 * long-polling upgrade), one Manager per connection (`forceNew`), no automatic reconnection, so a
 * drop shows as a close instead of being papered over.
 */
import { io, type Socket } from 'socket.io-client';
import { clockMs, sentAtOf, type DanmuSend } from '../danmu-payload.ts';
import type { Tally } from '../tally.ts';
import type { Identity, Target } from '../worker-protocol.ts';
import {
  handshakeTimeoutMs,
  publishTimeoutMs,
  withTimeout,
  type Connection,
  type Publisher,
  type SystemClient,
} from './system-client.ts';

interface WirePublication {
  d?: { t?: unknown };
}

function connect(target: Target, identity: Identity, tally: Tally, auth: object) {
  const socket: Socket = io(`http://127.0.0.1:${target.port}`, {
    path: target.path,
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    timeout: handshakeTimeoutMs,
    auth,
    extraHeaders: { 'x-forwarded-for': identity.forwardedFor },
    // Passed through engine.io-client to the `ws` client in Node.
    ...({ localAddress: identity.localAddress, perMessageDeflate: false } as object),
  });
  let closing = false;
  socket.on('disconnect', (reason) => {
    if (!closing) tally.closed(reason);
  });
  const connection: Connection = {
    close() {
      closing = true;
      socket.disconnect();
    },
    isOpen: () => socket.connected,
  };
  const connected = withTimeout(
    new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    }),
    handshakeTimeoutMs,
    'connect',
  ).catch((error: unknown) => {
    connection.close();
    throw error;
  });
  return { socket, connection, connected };
}

export const socketioClient: SystemClient = {
  async subscriber(target, room, identity, tally, measure) {
    const { socket, connection, connected } = connect(target, identity, tally, {});
    // The engine's message payload is the Socket.IO packet (`42["pub",{…}]`) minus the
    // engine.io type byte: count it whole, as the bytes of the WebSocket message.
    socket.io.on('open', () => {
      socket.io.engine.on('data', (data: unknown) => {
        if (typeof data === 'string') tally.received(data.length + 1);
      });
    });
    // socket.io-client parses every packet before any handler sees it, so the only saving left
    // is the latency arithmetic.
    socket.on('pub', (pub: WirePublication) => {
      if (!measure) {
        tally.counted(1);
        return;
      }
      const now = clockMs();
      const text = pub.d?.t;
      tally.delivered(typeof text === 'string' ? sentAtOf(text) : Number.NaN, now);
    });
    await connected;
    try {
      await socket.timeout(handshakeTimeoutMs).emitWithAck('join', room);
    } catch (error) {
      connection.close();
      throw error;
    }
    return connection;
  },

  async publisher(target, room, identity, tally): Promise<Publisher> {
    const { socket, connection, connected } = connect(target, identity, tally, {
      uid: identity.userId,
    });
    await connected;
    return {
      ...connection,
      async publish(danmu: DanmuSend) {
        if (!socket.connected) return 'not open';
        try {
          const reply = (await socket
            .timeout(publishTimeoutMs)
            .emitWithAck('danmu', { ch: room, d: danmu })) as { off?: number };
          return typeof reply?.off === 'number' ? 'ok' : 'bad ack';
        } catch {
          return 'timeout';
        }
      },
    };
  },
};
