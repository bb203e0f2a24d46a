/** Which machine a host name reaches, read the way the resolver reads it. */
import { BlockList, isIP } from 'node:net';

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('0.0.0.0', 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');
LOOPBACK.addAddress('::', 'ipv6');

/**
 * The host as the resolver reads it: the WHATWG URL parser turns `LOCALHOST`, `127.1`, `0x7f.1`
 * and `[0:0::1]` into their plain form; brackets and trailing dots go.
 */
export function normalHost(host: string): string {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  let name: string;
  try {
    name = new URL(`http://${bare.includes(':') ? `[${bare}]` : bare}/`).hostname;
  } catch {
    name = bare.toLowerCase();
  }
  return name.replace(/^\[(.*)\]$/, '$1').replace(/\.+$/, '');
}

/** This machine: `localhost`, a `.localhost` name, a loopback address, `0.0.0.0` or `::`. */
export function isLoopbackHost(host: string): boolean {
  const name = normalHost(host);
  const family = isIP(name);
  return (
    name === 'localhost' ||
    name.endsWith('.localhost') ||
    (family !== 0 && LOOPBACK.check(name, family === 4 ? 'ipv4' : 'ipv6'))
  );
}
