// The bench's burst: real mqtt.js clients sending QoS 1 PUBLISH of 64 bytes through the lab's tap, so the
// capture gets as many PUBACKs; `packetsPerSecond` counts both, as the capture does.
import mqtt from 'mqtt';

export interface BurstResult {
  published: number;
  /** From the first PUBLISH to the last PUBACK (ms). */
  ms: number;
}

export async function qos1Burst(host: string, port: number, packetsPerSecond: number, seconds: number, clients = 4): Promise<BurstResult> {
  const conns = await Promise.all(Array.from({ length: clients }, (_, i) => mqtt.connectAsync(`mqtt://${host}:${port}`, { clientId: `burst-${i}`, reconnectPeriod: 0 })));
  const payload = Buffer.alloc(64, 0x61);
  const rate = packetsPerSecond / 2;
  const total = Math.round(rate * seconds);
  const acks: Array<Promise<unknown>> = [];
  const start = Date.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const due = Math.min(total, Math.floor(((Date.now() - start) / 1000) * rate));
      for (; sent < due; sent++) acks.push(conns[sent % clients]!.publishAsync(`bench/sensor${sent % 8}`, payload, { qos: 1 }));
      if (sent >= total) resolve();
      else setTimeout(tick, 5);
    };
    tick();
  });
  await Promise.all(acks);
  const ms = Date.now() - start;
  await Promise.all(conns.map((c) => c.endAsync()));
  return { published: total, ms };
}
