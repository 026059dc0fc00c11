// Reading the capture: every assertion in test/lab is made on the packets the tap recorded, so these
// helpers find records, wait for them (event-driven, with a deadline) and print them when a wait fails.
import type { Lab } from '../../../src/core/lab/index.js';
import type { ClientState, Connection, Direction, FaultAction, PacketRecord, ReceivedMessage } from '../../../src/shared/lab.js';
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

export function matches(lab: Lab, r: PacketRecord, m: Match): boolean {
  if (m.type !== undefined && r.decoded.type !== m.type) return false;
  if (m.direction !== undefined && r.direction !== m.direction) return false;
  if (m.connId !== undefined && r.connId !== m.connId) return false;
  if (m.clientId !== undefined && lab.store.clientIdOf(r.connId) !== m.clientId) return false;
  if (m.topic !== undefined && r.decoded.info.topic !== m.topic) return false;
  if (m.afterSeq !== undefined && r.seq <= m.afterSeq) return false;
  if (m.fault !== undefined && (r.fault?.action ?? 'none') !== m.fault) return false;
  return m.where === undefined || m.where(r);
}

export function records(lab: Lab, m: Match = {}): PacketRecord[] {
  return lab.store.query({}).filter((r) => matches(lab, r, m));
}

/** Resolves once `n` records match (those already captured count), with all of them. */
export function waitRecords(lab: Lab, m: Match, n: number, timeoutMs = 5000): Promise<PacketRecord[]> {
  return new Promise((resolve, reject) => {
    const found = records(lab, m);
    if (found.length >= n) return resolve(found);
    const unsubscribe = lab.store.subscribe((r) => {
      if (!matches(lab, r, m)) return;
      found.push(r);
      if (found.length < n) return;
      finish();
      resolve(found);
    });
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${n} × ${describe(m)}; got ${found.length}. Capture:\n${dump(lab)}`));
    }, timeoutMs);
    const finish = (): void => {
      clearTimeout(timer);
      unsubscribe();
    };
  });
}

export async function waitRecord(lab: Lab, m: Match, timeoutMs = 5000): Promise<PacketRecord> {
  return (await waitRecords(lab, m, 1, timeoutMs))[0]!;
}

/** The latest connection state that satisfies `test`, waiting for 'connection' events until then. */
export function waitConnection(lab: Lab, test: (c: Connection) => boolean, what: string, timeoutMs = 5000): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const now = lab.tap.connections().find(test);
    if (now !== undefined) return resolve(now);
    const off = lab.api.on('connection', (c) => {
      if (!test(c)) return;
      clearTimeout(timer);
      off();
      resolve(c);
    });
    const timer = setTimeout(() => {
      off();
      const conns = lab.tap.connections().map((c) => `#${c.connId} ${c.clientId ?? '?'} ${c.state}${c.ended ? ` (${c.ended})` : ''}`);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; connections: ${conns.join(', ')}`));
    }, timeoutMs);
  });
}

export function waitEnded(lab: Lab, connId: number, timeoutMs = 5000): Promise<Connection> {
  return waitConnection(lab, (c) => c.connId === connId && c.state === 'closed', `connection #${connId} to close`, timeoutMs);
}

/** The client's current (newest) connection through the tap. */
export function connOf(lab: Lab, clientId: string): Connection {
  const all = lab.tap.connections().filter((c) => c.clientId === clientId);
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

export function dump(lab: Lab): string {
  return lab.store.query({}).map((r) => {
    const who = lab.store.clientIdOf(r.connId) ?? `conn#${r.connId}`;
    const arrow = r.direction === 'toBroker' ? `${who} →` : `→ ${who}`;
    return `  ${r.seq} [#${r.connId}] ${arrow} ${r.decoded.summary}${r.fault ? ` [${r.fault.action}]` : ''}`;
  }).join('\n');
}

/** Resolves when the embedded client reaches `state` (it learns of a sever a moment after the tap does). */
export function waitClientState(lab: Lab, id: string, state: ClientState, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (lab.clients.summary(id).state === state) return resolve();
    const off = lab.api.on('client', (s) => {
      if (s.id !== id || s.state !== state) return;
      clearTimeout(timer);
      off();
      resolve();
    });
    const timer = setTimeout(() => {
      off();
      reject(new Error(`client '${id}' did not become ${state} within ${timeoutMs} ms (is ${lab.clients.summary(id).state})`));
    }, timeoutMs);
  });
}

/** Resolves with the client's received messages once it holds at least `n`. */
export function waitMessages(lab: Lab, id: string, n: number, timeoutMs = 5000): Promise<ReceivedMessage[]> {
  return new Promise((resolve, reject) => {
    if (lab.clients.messages(id).length >= n) return resolve(lab.clients.messages(id));
    const off = lab.api.on('message', (m) => {
      if (m.id !== id || lab.clients.messages(id).length < n) return;
      clearTimeout(timer);
      off();
      resolve(lab.clients.messages(id));
    });
    const timer = setTimeout(() => {
      off();
      reject(new Error(`client '${id}' received ${lab.clients.messages(id).length} messages within ${timeoutMs} ms, expected ${n}`));
    }, timeoutMs);
  });
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
