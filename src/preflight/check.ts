// `chat-conformance check`: only the preflight, against a target, with a
// profile: does this profile describe this server well enough to run?
import { randomBytes } from 'node:crypto';
import { compileProfile, loadProfile, type Profile } from '../profile/index.js';
import type { Target } from '../runner/client.js';
import type { RunSettings } from '../runner/context.js';
import { reachable } from './reach.js';
import { runPreflight, type PreflightResult } from './preflight.js';

export interface CheckOptions {
  readonly target: Target;
  readonly profile: string | Profile;
  /** Deadline of one wait in ms. Default 2000. */
  readonly timeoutMs?: number;
  readonly timeoutMultiplier?: number;
}

export async function checkProfile(options: CheckOptions): Promise<PreflightResult> {
  const profile = typeof options.profile === 'string' ? await loadProfile(options.profile) : options.profile;
  const multiplier = options.timeoutMultiplier ?? 1;
  const waitMs = (options.timeoutMs ?? 2000) * multiplier;
  const { target } = options;
  const settings: RunSettings = {
    target,
    dialect: compileProfile(profile),
    seed: 0,
    runs: 1,
    quick: true,
    waitMs,
    multiplier,
    idleTimeoutMs: profile.idleTimeoutMs,
    prefix: `cc${randomBytes(3).toString('hex')}`,
    replayBase: `npx chat-conformance --target ${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port} --profile ${typeof options.profile === 'string' ? options.profile : profile.name}`,
  };
  const why = await reachable(target, waitMs);
  if (why) {
    return { ok: false, kind: 'unreachable', summary: `cannot connect to ${target.host}:${target.port}: ${why}`, details: ['nothing listens there, or a firewall drops the connection: check --target'], violations: [], transcript: [], durationMs: 0 };
  }
  return runPreflight(settings);
}
