import net from 'node:net';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Serves the gateway on `/ws` of the embedded platform's one public port. uWebSockets.js owns its
 * own sockets and cannot adopt one accepted by Node's HTTP server, so the public server hands each
 * WebSocket upgrade to the gateway's loopback listener: it replays the request head (adding the
 * client's address as X-Forwarded-For, which the gateway trusts from loopback only) and then pipes
 * bytes both ways. Frames are never parsed here; the cost is one extra local hop per byte, paid
 * only by the embedded start (a scaled deployment routes /ws to the gateway at its edge proxy).
 */
export interface UpgradeForwarder {
  /** Connections currently forwarded. */
  readonly active: number;
  /**
   * Stops forwarding new upgrades, lets forwarded connections finish their close handshake (the
   * gateway closing first sends its 4000) for up to `graceMs`, then cuts what is left.
   */
  close(graceMs?: number): Promise<void>;
}

const HOP_BY_HOP = new Set(['x-forwarded-for']);

function requestHead(request: IncomingMessage, clientIp: string): string {
  const lines = [`${request.method ?? 'GET'} ${request.url ?? '/'} HTTP/1.1`];
  const raw = request.rawHeaders;
  let forwarded: string | null = null;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) continue;
    if (HOP_BY_HOP.has(name.toLowerCase())) {
      forwarded = forwarded === null ? value : `${forwarded}, ${value}`;
      continue;
    }
    lines.push(`${name}: ${value}`);
  }
  // The public server is the edge in the embedded start: the peer it saw is the client, and an
  // X-Forwarded-For the client sent is dropped (spoofable). Only when the public server itself
  // sits behind a local proxy (a loopback peer) is that proxy's first hop taken instead.
  const behindLocalProxy = /^(127\.|::1$|::ffff:127\.)/.test(clientIp);
  const client =
    behindLocalProxy && forwarded !== null ? forwarded.split(',')[0]!.trim() : clientIp;
  lines.push(`X-Forwarded-For: ${client}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

export function forwardUpgrades(
  server: Server,
  target: { host: string; port: number },
  path = '/ws',
): UpgradeForwarder {
  const sockets = new Set<Duplex>();
  let closed = false;

  function onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = request.url ?? '';
    if (url !== path && !url.startsWith(`${path}?`)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (closed) {
      socket.end(
        'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
      );
      return;
    }
    const clientIp = request.socket.remoteAddress ?? '0.0.0.0';
    const upstream = net.connect(target.port, target.host);
    sockets.add(socket);
    sockets.add(upstream);
    const cleanup = () => {
      sockets.delete(socket);
      sockets.delete(upstream);
      socket.destroy();
      upstream.destroy();
    };
    upstream.setNoDelay(true);
    upstream.once('connect', () => {
      upstream.write(requestHead(request, clientIp));
      if (head.length > 0) upstream.write(head);
      socket.pipe(upstream);
      upstream.pipe(socket);
    });
    upstream.once('error', () => {
      if (!socket.destroyed && socket.writable && upstream.bytesRead === 0) {
        socket.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      }
      cleanup();
    });
    socket.once('error', cleanup);
    socket.once('close', cleanup);
    upstream.once('close', cleanup);
  }

  server.on('upgrade', onUpgrade);
  return {
    get active() {
      return sockets.size / 2;
    },
    async close(graceMs = 1000) {
      closed = true;
      server.off('upgrade', onUpgrade);
      const deadline = Date.now() + graceMs;
      while (sockets.size > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
  };
}
