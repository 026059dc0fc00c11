// Actions and expectations in words, for result lines ("✓ PUBACK to sensor within 1000 ms") and the UI.
import type { Action, Expectation, LayerMatch } from '../../shared/lesson.js';
import { describeMessage, describePacket } from './match-packet.js';

const VERSIONS: Record<number, string> = { 3: 'MQTT 3.1', 4: 'MQTT 3.1.1', 5: 'MQTT 5' };

export function actionLabel(a: Action): string {
  switch (a.kind) {
    case 'client': {
      const o = a.options;
      const parts = [VERSIONS[o.protocolVersion ?? 4]!, o.clean === false ? 'persistent session' : 'clean session'];
      if (o.clientId !== undefined) parts.push(`clientId '${o.clientId}'`);
      if (o.keepalive !== undefined) parts.push(`keepalive ${o.keepalive} s`);
      if (o.will !== undefined) parts.push(`will on '${o.will.topic}'`);
      if (o.transport !== undefined && o.transport !== 'tcp') parts.push(`over ${o.transport === 'tls' ? 'TLS' : o.transport === 'ws' ? 'WebSocket' : 'WebSocket over TLS'}`);
      return `create client ${a.id} (${parts.join(', ')})`;
    }
    case 'connect':
      return `connect ${a.client}${a.refused === true ? ' (the broker should refuse)' : ''}`;
    case 'reconnect':
      return `reconnect ${a.client}${a.refused === true ? ' (the broker should refuse)' : ''}`;
    case 'disconnect':
      return `${a.client} disconnects (DISCONNECT)`;
    case 'kill':
      return `kill ${a.client} (connection closed without DISCONNECT)`;
    case 'sever':
      return `sever ${a.client}'s connection at the tap`;
    case 'publish': {
      const p = a.properties;
      const flags = [`qos ${a.qos}`, ...(a.retain ? ['retained'] : []),
        ...(p?.topicAlias !== undefined ? [`topic alias ${p.topicAlias}`] : []),
        ...(p?.messageExpiryInterval !== undefined ? [`expires in ${p.messageExpiryInterval} s`] : []),
        ...(p?.responseTopic !== undefined ? [`response topic ${p.responseTopic}`] : [])];
      const to = a.topic === '' ? `topic alias ${p?.topicAlias ?? '?'} (no topic name)` : a.topic;
      return `${a.client} publishes '${short(a.payload)}' to ${to} (${flags.join(', ')})`;
    }
    case 'subscribe':
      return `${a.client} subscribes to ${a.subscriptions.map((s) => `${s.filter} (qos ${s.qos ?? 0})`).join(', ')}`;
    case 'unsubscribe':
      return `${a.client} unsubscribes from ${a.filters.join(', ')}`;
    case 'fault': {
      const r = a.rule;
      const what = describePacket({ type: r.match.type, direction: r.match.direction, topic: r.match.topic, qos: r.match.qos, fields: [] });
      const who = r.match.client === undefined ? '' : ` of ${r.match.client}`;
      const extra = [
        r.ms !== undefined ? `${r.ms} ms` : '',
        r.match.nth !== undefined ? `only the ${ordinal(r.match.nth)}` : '',
        r.times !== undefined ? `${r.times} time${r.times === 1 ? '' : 's'}` : '',
        r.field !== undefined ? `field ${r.field}` : '',
      ].filter((x) => x !== '');
      return `fault: ${r.action} ${what}${who}${extra.length > 0 ? ` (${extra.join(', ')})` : ''}`;
    }
    case 'clear-faults':
      return a.id === undefined ? 'clear every fault rule' : `clear fault rule ${a.id}`;
    case 'step-mode':
      return `step mode ${a.on ? 'on' : 'off'}`;
    case 'release-next':
      return a.count === 1 ? 'release the next waiting packet' : `release the next ${a.count} waiting packets`;
    case 'release-all':
      return 'release every waiting packet';
    case 'wait':
      return `wait ${a.ms} ms`;
    case 'http-post':
      return `${a.client} POSTs '${short(a.body)}' to the web server (HTTP)`;
    case 'http-poll':
      return `${a.client} polls the web server every ${a.every} ms for ${a.for} ms (HTTP)`;
  }
}

export function expectationLabel(e: Expectation): string {
  switch (e.kind) {
    case 'packet':
      return `${e.count === undefined ? '' : `exactly ${e.count} × `}${describePacket(e.match)}${e.count === undefined ? '' : ' in this step,'} within ${e.within} ms`;
    case 'no-packet':
      return `no ${describePacket(e.match)} within ${e.within} ms`;
    case 'received':
      return `${e.match.client} receives ${e.count === undefined ? '' : `exactly ${e.count} × `}${describeMessage(e.match)}${e.count === undefined ? '' : ' in this step,'} within ${e.within} ms`;
    case 'not-received':
      return `${e.match.client} receives no ${describeMessage(e.match).replace(/^a /, '')} within ${e.within} ms`;
    case 'connection': {
      const state = e.state ?? 'closed';
      return `${e.client}'s connection is ${state}${e.ended === undefined ? '' : ` (${e.ended})`} within ${e.within} ms`;
    }
    case 'order':
      return `in this order: ${e.matches.map(describePacket).join(' → ')} within ${e.within} ms`;
    case 'quiz':
      return 'the question is answered';
    case 'tls-record':
    case 'ws-frame':
      return `${describeLayer(e.kind, e.client, e.match)} within ${e.within} ms`;
  }
}

/** "a TLS Application Data record from sensor carrying CONNECT", "a masked WebSocket Binary frame to web". */
export function describeLayer(kind: 'tls-record' | 'ws-frame', client: string, m: LayerMatch): string {
  const what = kind === 'tls-record'
    ? `a TLS ${m.content ?? ''}${m.handshake !== undefined ? ` (${m.handshake})` : ''} record`
    : `a${m.masked === true ? ' masked' : m.masked === false ? 'n unmasked' : ''} WebSocket ${m.opcode ?? ''} frame`;
  const party = m.direction === 'toClient' ? `to ${client}` : m.direction === 'toBroker' ? `from ${client}` : `on ${client}'s connection`;
  return `${what.replace(/ {2,}/g, ' ')} ${party}${m.carries !== undefined ? ` carrying ${m.carries}` : ''}`;
}

function short(s: string): string {
  return s.length > 30 ? `${s.slice(0, 30)}…` : s;
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
  return `${n}${suffix}`;
}
