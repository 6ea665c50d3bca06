// ADDR as the spec means it: the client's address as the server sees it,
// which is also the client's own local address, so a test client can predict it.
import { isIPv6 } from 'node:net';

export function formatAddress(ip: string, port: number): string {
  // A dual-stack listener reports IPv4 peers as ::ffff:a.b.c.d; the client knows itself as a.b.c.d.
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return `${mapped[1]}:${port}`;
  return isIPv6(ip) ? `[${ip}]:${port}` : `${ip}:${port}`;
}
