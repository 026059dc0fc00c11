// Packet summaries from a real Lab: real mqtt.js clients (and one raw socket with a malformed CONNECT) through
// its tap, dissected by the real dissector. The stream's tests pack and unpack these, never made-up ones.
import { connect as tcpConnect } from 'node:net';
import mqtt from 'mqtt';
import type { PacketSummary } from '../../src/shared/api.js';
import { createLab, type Lab } from '../../src/core/lab/index.js';

/** Collects every packet the Lab reports while `run` drives clients against its tap. */
export async function captureSummaries(run: (url: string, lab: Lab) => Promise<void>): Promise<PacketSummary[]> {
  const lab = await createLab({ port: 0, lessonDirs: [] });
  const out: PacketSummary[] = [];
  const off = lab.api.on('packet', (p) => out.push(p));
  try {
    await run(`mqtt://127.0.0.1:${lab.tapAddress.port}`, lab);
    const count = async (): Promise<number> => (await lab.api.call('lab.status', {})).packets.count;
    // The last packets may still be on their way through the tap.
    for (let i = 0; i < 100 && out.length < await count(); i++) await new Promise((r) => setTimeout(r, 20));
  } finally {
    off();
    await lab.stop();
  }
  return out;
}

/** A varied session: will, subscriptions, QoS 0/1/2, text and binary payloads, awkward topics, a malformed CONNECT. */
export function variedSession(): Promise<PacketSummary[]> {
  return captureSummaries(async (url, lab) => {
    const sub = await mqtt.connectAsync(url, { clientId: "o'brien m1", will: { topic: 'status/gone', payload: Buffer.from('bye'), qos: 1, retain: false } });
    await sub.subscribeAsync({ 'home/#': { qos: 2 }, 'odd/#': { qos: 1 } });
    const pub = await mqtt.connectAsync(url, { clientId: 'sensor-1' });
    await pub.publishAsync('home/room1/temp', JSON.stringify({ temperature: 21.5 }), { qos: 0 });
    await pub.publishAsync('home/room1/temp', 'a'.repeat(64), { qos: 1 });
    await pub.publishAsync('home/room2/temp', Buffer.from([0xff, 0x00, 0xfe, 0x01]), { qos: 2 });
    await pub.publishAsync('home/long', 'é'.repeat(100), { qos: 1, retain: true });
    await pub.publishAsync("odd/it's m1 'quoted'", 'x', { qos: 1 });
    await pub.publishAsync('odd/\u0001mark\u0002', 'y', { qos: 1 });
    await pub.publishAsync('home/empty', '', { qos: 0 });
    await sub.unsubscribeAsync('odd/#');
    await pub.endAsync();
    await sub.endAsync();
    // A CONNECT that claims protocol level 9: captured, flagged malformed, and listed like any other.
    await new Promise<void>((resolve) => {
      const s = tcpConnect(lab.tapAddress.port, '127.0.0.1', () => {
        s.end(Buffer.from([0x10, 0x0c, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x09, 0x02, 0x00, 0x3c, 0x00, 0x00]));
      });
      s.on('close', () => resolve());
      s.on('error', () => resolve());
    });
  });
}

/** `n` QoS 1 PUBLISH of a 64-byte payload from one mqtt.js client (so as many PUBACKs), over eight topics. */
export function publishBurst(n: number): Promise<PacketSummary[]> {
  return captureSummaries(async (url) => {
    const c = await mqtt.connectAsync(url, { clientId: 'burst' });
    const payload = Buffer.alloc(64, 0x61);
    for (let i = 0; i < n; i += 1000) {
      const sends: Array<Promise<unknown>> = [];
      for (let j = i; j < Math.min(n, i + 1000); j++) sends.push(c.publishAsync(`bench/sensor${j % 8}`, payload, { qos: 1 }));
      await Promise.all(sends);
    }
    await c.endAsync();
  });
}
