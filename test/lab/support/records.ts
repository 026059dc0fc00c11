// Reading the capture: every assertion in test/lab is made on the packets the tap recorded, so these
// helpers find records, wait for them (event-driven, with a deadline) and print them when a wait fails.
// They read the Lab as any front end does, through lab.api (packets.query/getMany, connections.list,
// clients.*), and give each packet back as a record: its wire bytes and the dissector's tree of them.
import type { Lab } from '../../../src/core/lab/index.js';
import { hexToBytes } from '../../../src/core/lab/wire.js';
import type { WireMessage, WirePacket } from '../../../src/shared/api.js';
import type { ClientState, Connection, Direction, FaultAction, PacketRecord } from '../../../src/shared/lab.js';
import type { FieldNode, PacketTypeName } from '../../../src/shared/packet.js';

export interface Match {
  type?: PacketTypeName;
  direction?: Direction;
  clientId?: string;
  connId?: number;
  topic?: string;
  afterSeq?: number;
  /** 'none' = the tap let it pass untouched. */
  fault?: FaultAction | 'none';
  where?: (r: PacketRecord) => boolean;
}

/** A packet as packets.get answers it, as a record: bytes back from hex, and the client id the lab knew. */
export interface CapturedRecord extends PacketRecord {
  clientId?: string;
}

function recordOf(w: WirePacket): CapturedRecord {
  const r: CapturedRecord = { seq: w.seq, time: w.time, connId: w.connId, direction: w.direction, bytes: hexToBytes(w.bytes), decoded: w.decoded };
  if (w.clientId !== undefined) r.clientId = w.clientId;
  if (w.fault !== undefined) r.fault = w.fault;
  if (w.fullLength !== undefined) r.fullLength = w.fullLength;
  if (w.findings !== undefined) r.findings = w.findings;
  return r;
}

export function matches(r: CapturedRecord, m: Match): boolean {
  if (m.type !== undefined && r.decoded.type !== m.type) return false;
  if (m.direction !== undefined && r.direction !== m.direction) return false;
  if (m.connId !== undefined && r.connId !== m.connId) return false;
  if (m.clientId !== undefined && r.clientId !== m.clientId) return false;
  if (m.topic !== undefined && r.decoded.info.topic !== m.topic) return false;
  if (m.afterSeq !== undefined && r.seq <= m.afterSeq) return false;
  if (m.fault !== undefined && (r.fault?.action ?? 'none') !== m.fault) return false;
  return m.where === undefined || m.where(r);
}

/** Every packet the lab holds, whole, oldest first. */
export async function captured(lab: Lab): Promise<CapturedRecord[]> {
  const seqs = (await lab.api.call('packets.query', { limit: 200_000 })).map((s) => s.seq);
  const out: CapturedRecord[] = [];
  for (let i = 0; i < seqs.length; i += 10_000) out.push(...(await lab.api.call('packets.getMany', { seqs: seqs.slice(i, i + 10_000) })).map(recordOf));
  return out;
}

export async function records(lab: Lab, m: Match = {}): Promise<CapturedRecord[]> {
  return (await captured(lab)).filter((r) => matches(r, m));
}

/** Resolves once `n` records match (those already captured count), with all of them. */
export async function waitRecords(lab: Lab, m: Match, n: number, timeoutMs = 5000): Promise<CapturedRecord[]> {
  // Listening first: a packet that arrives while the capture is read is not missed (the seq check skips
  // one seen twice).
  const arrived: number[] = [];
  let wake: (() => void) | null = null;
  const off = lab.api.on('packet', (s) => {
    arrived.push(s.seq);
    wake?.();
  });
  const deadline = Date.now() + timeoutMs;
  try {
    const all = await captured(lab);
    const found = all.filter((r) => matches(r, m));
    let seen = all.at(-1)?.seq ?? 0;
    while (found.length < n) {
      const fresh = arrived.splice(0).filter((seq) => seq > seen);
      if (fresh.length > 0) {
        seen = Math.max(...fresh);
        for (const w of await lab.api.call('packets.getMany', { seqs: fresh })) {
          const r = recordOf(w);
          if (matches(r, m)) found.push(r);
        }
        continue;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${n} × ${describe(m)}; got ${found.length}. Capture:\n${await dump(lab)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
    return found;
  } finally {
    off();
  }
}

export async function waitRecord(lab: Lab, m: Match, timeoutMs = 5000): Promise<CapturedRecord> {
  return (await waitRecords(lab, m, 1, timeoutMs))[0]!;
}

const connections = (lab: Lab): Promise<Connection[]> => lab.api.call('connections.list', {});

/** The latest connection state that satisfies `test`, waiting for 'connection' events until then. */
export async function waitConnection(lab: Lab, test: (c: Connection) => boolean, what: string, timeoutMs = 5000): Promise<Connection> {
  let late: Connection | undefined;
  const off = lab.api.on('connection', (c) => {
    if (late === undefined && test(c)) late = c;
  });
  try {
    const now = (await connections(lab)).find(test);
    if (now !== undefined) return now;
    return await new Promise<Connection>((resolve, reject) => {
      if (late !== undefined) return resolve(late);
      const stop = lab.api.on('connection', (c) => {
        if (!test(c)) return;
        clearTimeout(timer);
        stop();
        resolve(c);
      });
      const timer = setTimeout(() => {
        stop();
        void connections(lab).then((all) => {
          const conns = all.map((c) => `#${c.connId} ${c.clientId ?? '?'} ${c.state}${c.ended ? ` (${c.ended})` : ''}`);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; connections: ${conns.join(', ')}`));
        });
      }, timeoutMs);
    });
  } finally {
    off();
  }
}

export function waitEnded(lab: Lab, connId: number, timeoutMs = 5000): Promise<Connection> {
  return waitConnection(lab, (c) => c.connId === connId && c.state === 'closed', `connection #${connId} to close`, timeoutMs);
}

/** The client's current (newest) connection through the tap. */
export async function connOf(lab: Lab, clientId: string): Promise<Connection> {
  const all = (await connections(lab)).filter((c) => c.clientId === clientId);
  const c = all[all.length - 1];
  if (c === undefined) throw new Error(`no connection of '${clientId}' seen at the tap`);
  return c;
}

/** The payload of a captured PUBLISH, as text. */
export function payloadText(r: PacketRecord): string {
  const n = r.decoded.info.payloadLength ?? 0;
  return Buffer.from(r.bytes.subarray(r.bytes.length - n)).toString('utf8');
}

/** `→PUBLISH` for client to broker, `←PUBACK` for broker to client: compact sequences to compare. */
export function arrows(rs: readonly PacketRecord[]): string[] {
  return rs.map((r) => `${r.direction === 'toBroker' ? '→' : '←'}${r.decoded.type}`);
}

function describe(m: Match): string {
  const parts = Object.entries(m).filter(([k]) => k !== 'where').map(([k, v]) => `${k}=${String(v)}`);
  return `{${parts.join(', ')}${m.where ? ', where' : ''}}`;
}

export async function dump(lab: Lab): Promise<string> {
  return (await captured(lab)).map((r) => {
    const who = r.clientId ?? `conn#${r.connId}`;
    const arrow = r.direction === 'toBroker' ? `${who} →` : `→ ${who}`;
    return `  ${r.seq} [#${r.connId}] ${arrow} ${r.decoded.summary}${r.fault ? ` [${r.fault.action}]` : ''}`;
  }).join('\n');
}

async function clientState(lab: Lab, id: string): Promise<ClientState | undefined> {
  return (await lab.api.call('clients.list', {})).find((c) => c.id === id)?.state;
}

/** Resolves when the embedded client reaches `state` (it learns of a sever a moment after the tap does). */
export async function waitClientState(lab: Lab, id: string, state: ClientState, timeoutMs = 5000): Promise<void> {
  let reached = false;
  const off = lab.api.on('client', (s) => {
    if (s.id === id && s.state === state) reached = true;
  });
  try {
    if ((await clientState(lab, id)) === state || reached) return;
    await new Promise<void>((resolve, reject) => {
      const stop = lab.api.on('client', (s) => {
        if (s.id !== id || s.state !== state) return;
        clearTimeout(timer);
        stop();
        resolve();
      });
      const timer = setTimeout(() => {
        stop();
        void clientState(lab, id).then((is) => reject(new Error(`client '${id}' did not become ${state} within ${timeoutMs} ms (is ${is})`)));
      }, timeoutMs);
    });
  } finally {
    off();
  }
}

/** Resolves with the client's received messages once it holds at least `n`. */
export async function waitMessages(lab: Lab, id: string, n: number, timeoutMs = 5000): Promise<WireMessage[]> {
  const messages = (): Promise<WireMessage[]> => lab.api.call('clients.messages', { id });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Each 'message' event wakes the check; the deadline bounds it.
    const next = new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
      const off = lab.api.on('message', (m) => {
        if (m.id === id) done();
      });
      function done(): void {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
    const now = await messages();
    if (now.length >= n) return now;
    if (Date.now() >= deadline) throw new Error(`client '${id}' received ${now.length} messages within ${timeoutMs} ms, expected ${n}`);
    await next;
  }
}

/** The first node with this display-filter name in a record's field tree. */
export function node(r: PacketRecord, filter: string): FieldNode | undefined {
  const walk = (nodes: readonly FieldNode[]): FieldNode | undefined => {
    for (const n of nodes) {
      if (n.filter === filter) return n;
      const inner = walk(n.children ?? []);
      if (inner !== undefined) return inner;
    }
    return undefined;
  };
  return walk(r.decoded.fields);
}

export function field(r: PacketRecord, filter: string): FieldNode['value'] {
  return node(r, filter)?.value;
}
