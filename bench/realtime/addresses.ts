/**
 * Addresses the load generator uses. All traffic stays on loopback; the client IPs a connection
 * claims in `X-Forwarded-For` are only header values.
 *
 * Linux gives each (local address, remote address, remote port) its own ephemeral port range
 * (/proc/sys/net/ipv4/ip_local_port_range, 28,232 ports here), and a closed client port waits in
 * TIME_WAIT for a minute. 20,000 connections to one listener, opened again for each system, would
 * run out; so every load worker binds its connections to a loopback address of its own
 * (127.0.0.0/8 is all loopback), never used twice in a run.
 */

/** The `n`-th worker's loopback address: 127.1.0.2, 127.1.0.3, … (n from 0 to 63,999). */
export function loopbackAddress(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n >= 250 * 256) throw new RangeError(`no address ${n}`);
  return `127.1.${Math.floor(n / 250)}.${(n % 250) + 2}`;
}

/** A distinct client IP per connection, from the RFC 2544 benchmarking range 198.18.0.0/15. */
export function forwardedFor(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= 2 ** 17) {
    throw new RangeError(`no forwarded address ${index}`);
  }
  return `198.${18 + (index >> 16)}.${(index >> 8) & 255}.${index & 255}`;
}
