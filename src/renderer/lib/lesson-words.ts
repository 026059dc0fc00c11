// A lesson step's actions and expectations in words, shown before the step runs (after it runs, the
// engine's own result labels are shown instead).
import type { Action, Expectation, PacketMatch } from '../../shared/lesson.js';

function packetWords(m: PacketMatch): string {
  const parts = [m.type ?? 'a packet'];
  if (m.from !== undefined) parts.push(`from ${m.from}`);
  if (m.to !== undefined) parts.push(`to ${m.to}`);
  if (m.direction !== undefined && m.from === undefined && m.to === undefined) parts.push(m.direction === 'toBroker' ? 'to the broker' : 'from the broker');
  if (m.qos !== undefined) parts.push(`QoS ${m.qos}`);
  if (m.dup !== undefined) parts.push(`DUP ${m.dup ? 1 : 0}`);
  if (m.retain !== undefined) parts.push(m.retain ? 'retained' : 'not retained');
  if (m.topic !== undefined) parts.push(`on ${m.topic}`);
  for (const f of m.fields) parts.push(`\`${f.filter} == ${JSON.stringify(f.value)}\``);
  if (m.fault !== undefined) parts.push(`(${m.fault} at the tap)`);
  return parts.join(' ');
}

export function actionWords(a: Action): string {
  switch (a.kind) {
    case 'client': {
      const o = a.options;
      const bits = [o.clean === false ? 'persistent session' : 'clean session'];
      if (o.protocolVersion === 5) bits.unshift('MQTT 5');
      if (o.will) bits.push(`will on \`${o.will.topic}\``);
      if (o.keepalive !== undefined) bits.push(`keepalive ${o.keepalive} s`);
      return `new client **${a.id}** (${bits.join(', ')})`;
    }
    case 'connect': return `**${a.client}** connects`;
    case 'reconnect': return `**${a.client}** reconnects`;
    case 'disconnect': return `**${a.client}** sends DISCONNECT`;
    case 'kill': return `**${a.client}** dies (TCP closed, no DISCONNECT)`;
    case 'sever': return `the tap cuts **${a.client}**'s connection`;
    case 'publish': return `**${a.client}** publishes \`${a.payload}\` to ${a.topic === '' ? `topic alias ${a.properties?.topicAlias ?? '?'}` : `\`${a.topic}\``} at QoS ${a.qos}${a.retain ? ', retained' : ''}`;
    case 'subscribe': return `**${a.client}** subscribes to ${a.subscriptions.map((s) => `\`${s.filter}\` (QoS ${s.qos ?? 0})`).join(', ')}`;
    case 'unsubscribe': return `**${a.client}** unsubscribes from ${a.filters.map((f) => `\`${f}\``).join(', ')}`;
    case 'fault': {
      const r = a.rule;
      const m = r.match;
      const what = [m.type ?? 'any packet', m.direction === 'toClient' ? 'to' : m.direction === 'toBroker' ? 'from' : m.client ? 'of' : '', m.client ?? '']
        .filter(Boolean).join(' ');
      const extra = [r.ms !== undefined ? `${r.ms} ms` : '', r.times !== undefined ? (r.times === 1 ? 'once' : `${r.times} times`) : '']
        .filter(Boolean).join(', ');
      return `tap rule: **${r.action}** ${what}${extra ? ` (${extra})` : ''}`;
    }
    case 'clear-faults': return 'clear the tap rules';
    case 'step-mode': return `step mode ${a.on ? 'on' : 'off'}`;
    case 'release-next': return a.count === 1 ? 'release the next waiting packet' : `release ${a.count} waiting packets`;
    case 'release-all': return 'release every waiting packet';
    case 'wait': return `wait ${a.ms} ms`;
    case 'http-post': return `**${a.client}** POSTs \`${a.body}\` to the web server (HTTP)`;
    case 'http-poll': return `**${a.client}** asks the web server for news every ${a.every} ms, for ${a.for} ms (HTTP)`;
  }
}

export function expectationWords(e: Expectation): string {
  switch (e.kind) {
    case 'packet': return `${e.count !== undefined ? `exactly ${e.count} × ` : ''}${packetWords(e.match)}${e.count !== undefined ? ' in this step' : ''}`;
    case 'no-packet': return `no ${packetWords(e.match)} within ${e.within} ms`;
    case 'received': return `**${e.match.client}** receives${e.match.payload !== undefined ? ` \`${e.match.payload}\`` : ' a message'}${e.match.topic !== undefined ? ` on \`${e.match.topic}\`` : ''}${e.count !== undefined ? ` ${e.count === 1 ? 'once' : `${e.count} times`} in this step` : ''}`;
    case 'not-received': return `**${e.match.client}** receives nothing${e.match.topic !== undefined ? ` on \`${e.match.topic}\`` : ''} within ${e.within} ms`;
    case 'connection': return `**${e.client}**'s connection is ${e.state ?? 'closed'}${e.ended ? ` (${e.ended})` : ''}`;
    case 'order': return `in order: ${e.matches.map(packetWords).join(' → ')}`;
    case 'quiz': return 'the question is answered';
    case 'tls-record': {
      const m = e.match;
      return `a TLS ${m.content ?? ''} record${m.handshake ? ` (${m.handshake})` : ''} on **${e.client}**'s connection${m.carries ? ` carrying ${m.carries}` : ''}`.replace(/ {2,}/g, ' ');
    }
    case 'ws-frame': {
      const m = e.match;
      return `a${m.masked === true ? ' masked' : ''} WebSocket ${m.opcode ?? ''} frame on **${e.client}**'s connection${m.carries ? ` carrying ${m.carries}` : ''}`.replace(/ {2,}/g, ' ');
    }
  }
}
