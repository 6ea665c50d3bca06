// host:port as the CLI takes it: `127.0.0.1:8888`, `[::1]:8888`, `tcp://host:port`.

export type TargetParse = { readonly ok: true; readonly host: string; readonly port: number } | { readonly ok: false; readonly reason: string };

export function parseTarget(text: string): TargetParse {
  const bare = text.startsWith('tcp://') ? text.slice('tcp://'.length).replace(/\/$/, '') : text;
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s/]+)):(\d{1,5})$/.exec(bare);
  if (!m) return { ok: false, reason: `target must be host:port (e.g. 127.0.0.1:8888 or [::1]:8888), got ${JSON.stringify(text)}` };
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return { ok: false, reason: `target port must be 1..65535, got ${port}` };
  return { ok: true, host: (m[1] ?? m[2])!, port };
}
