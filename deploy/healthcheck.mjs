/**
 * Container health probe for docker-compose.yml, in plain Node because the slim image has no curl.
 *
 *   node deploy/healthcheck.mjs http://127.0.0.1:8080/api/ready   exit 0 on a 2xx answer
 *   node deploy/healthcheck.mjs tcp://redis:6379                   exit 0 when the port accepts
 *
 * Several targets may be given; all must pass. Each gets 4 seconds.
 */
import net from 'node:net';

const timeoutMs = 4000;

function probeHttp(url) {
  return fetch(url, { signal: AbortSignal.timeout(timeoutMs) }).then(
    (response) => {
      if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    },
    (error) => {
      throw new Error(`${url}: ${error.cause?.message ?? error.message}`);
    },
  );
}

function probeTcp(url) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port), timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new Error(`${url}: no answer within ${timeoutMs} ms`));
    });
    socket.once('error', (error) => reject(new Error(`${url}: ${error.message}`)));
  });
}

const targets = process.argv.slice(2);
if (targets.length === 0) {
  console.error('usage: node deploy/healthcheck.mjs <http(s)://… | tcp://host:port>…');
  process.exit(2);
}
try {
  await Promise.all(
    targets.map((target) => (target.startsWith('tcp://') ? probeTcp(target) : probeHttp(target))),
  );
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
