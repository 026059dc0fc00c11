// A Lab call the engine may stop waiting for. A publish whose PUBACK the tap dropped completes only after a
// reconnect, and a connect in step mode only once someone releases the CONNACK: the engine must go on with
// the lesson meanwhile, while the call stays alive (it completes, or fails, in its own time).
import type { WirePacket } from '../../shared/api.js';
import type { LabObserver } from './lab-observer.js';

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: Error };

export interface InFlight<T> {
  /** The MQTT client whose packets may block the call; none for calls that end by themselves (close). */
  clientId?: string;
  /** The lab's last seq when the call began: later packets of the client may be what blocks it. */
  sinceSeq: number;
  outcome?: Outcome<T>;
}

export type Settled<T> = Outcome<T> | { ok: 'blocked'; why: string } | { ok: 'timeout' };

export function track<T>(obs: LabObserver, call: Promise<T>, clientId?: string): InFlight<T> {
  const f: InFlight<T> = { sinceSeq: obs.latestSeq };
  if (clientId !== undefined) f.clientId = clientId;
  call.then(
    (value) => {
      f.outcome = { ok: true, value };
      obs.poke();
    },
    (error: unknown) => {
      f.outcome = { ok: false, error: error instanceof Error ? error : new Error(String(error)) };
      obs.poke();
    },
  );
  return f;
}

/** Waits for the call to settle, unless the tap is keeping back one of the client's packets, or `ms` pass. */
export async function settle<T>(obs: LabObserver, f: InFlight<T>, ms: number): Promise<Settled<T>> {
  const r = await obs.waitFor<Settled<T>>(() => f.outcome ?? blockedBy(obs, f), ms);
  return r ?? { ok: 'timeout' };
}

function blockedBy(obs: LabObserver, f: InFlight<unknown>): Settled<never> | undefined {
  if (f.clientId === undefined) return undefined;
  for (const p of obs.since(f.sinceSeq)) {
    if (p.fault === undefined || obs.clientIdOf(p) !== f.clientId) continue;
    const why = blockingFault(p);
    if (why !== undefined) return { ok: 'blocked', why };
  }
  return undefined;
}

function blockingFault(p: WirePacket): string | undefined {
  const at = `${p.decoded.type} #${p.seq}`;
  switch (p.fault!.action) {
    case 'drop':
      return `${at} was dropped by the tap`;
    case 'sever':
      return `the tap severed the connection at ${at}`;
    case 'delay':
      return `${at} is delayed ${p.fault!.ms ?? 0} ms by the tap`;
    case 'corrupt':
      return `${at} was corrupted by the tap`;
    case 'hold':
      return p.fault!.released === true ? undefined : `${at} is held at the tap`;
    case 'step':
      return p.fault!.released === true ? undefined : `${at} waits at the tap (step mode)`;
  }
  return undefined;
}
