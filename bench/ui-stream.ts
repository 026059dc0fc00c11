// The live stream's own figures (issue 10), on both transports that carry it: bytes per packet (PUBACK and a
// 64-byte PUBLISH), gap markers, and the time from the end of a 10,000 packets/s burst until every packet has
// reached the reader. Through the real `mqtt-lab web` server with a WebSocket reader that decodes and grants
// credit as a page does, and through the Electron IPC bridge with a fake ipcMain and renderer in this process.
// The page itself (long tasks, rows listed) is measured by bench/ui.
//   npm run bench -- ui-stream [--quick] [--seconds S] [--rate PACKETS_PER_S]
import WebSocket from 'ws';
import { createLab } from '../src/core/lab/index.js';
import { bridgeLabToIpc, CREDIT_CHANNEL, EVENT_CHANNEL, START_CHANNEL, type IpcMainLike } from '../src/main/ipc-bridge.js';
import { EventReceiver } from '../src/shared/event-stream/index.js';
import { labServerMissing, startLabServer } from '../test/ui/support/lab-server.js';
import { burstInWorker as runBurst, machineLoad, type BurstResult } from './ui-support/burst.js';
import { StreamMeter } from './ui-support/stream-meter.js';

const argv = process.argv.slice(2);
const value = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const QUICK = argv.includes('--quick');
const SECONDS = Number(value('seconds') ?? (QUICK ? 2 : 10));
const RATE = Number(value('rate') ?? 10_000);
const SETTLE_LIMIT_MS = 30_000;

let failed = false;
function verdict(ok: boolean, line: string): void {
  if (!ok) failed = true;
  console.log(`  ${ok ? 'OK ' : 'BAD'} ${line}`);
}

/** Waits until `accounted()` reaches the lab's packet count; ms from now, or -1 past the limit. */
async function timeUntilAll(accounted: () => number, captured: () => Promise<number>): Promise<{ ms: number; count: number }> {
  const t0 = performance.now();
  let count = await captured();
  while (performance.now() - t0 < SETTLE_LIMIT_MS) {
    if (accounted() >= count) {
      // The capture may still grow by the burst's last packets: ask again before calling it done.
      const again = await captured();
      if (again === count) return { ms: performance.now() - t0, count };
      count = again;
      continue;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return { ms: -1, count };
}

function report(path: string, meter: StreamMeter, burst: BurstResult, settle: { ms: number; count: number }): void {
  const packets = burst.published + burst.qos1;
  console.log(`${path}: ${burst.published.toLocaleString()} PUBLISH of 64 B (${burst.qos1.toLocaleString()} at QoS 1, with their PUBACKs) in ${(burst.ms / 1000).toFixed(1)} s ` +
    `= ${Math.round(packets / (burst.ms / 1000)).toLocaleString()} packets/s (${machineLoad()}); ${meter.frames.toLocaleString()} frames, ${(meter.bytes / 1e6).toFixed(2)} MB, ${meter.packets.toLocaleString()} packets`);
  const ack = meter.perPacket('PUBACK');
  const pub = meter.perPacket('PUBLISH');
  verdict(ack <= 120, `PUBACK: ${ack.toFixed(1)} bytes a packet on the stream (goal ≤ 120)`);
  verdict(pub <= 200, `PUBLISH of 64 B: ${pub.toFixed(1)} bytes a packet on the stream (goal ≤ 200)`);
  verdict(meter.missed.length === 0, `gap markers: ${meter.missed.length} (${meter.missed.reduce((n, m) => n + m.toSeq - m.fromSeq + 1, 0)} packets) (goal 0 at this rate)`);
  verdict(settle.ms >= 0 && settle.ms <= 1000,
    settle.ms < 0 ? `not every packet arrived within ${SETTLE_LIMIT_MS / 1000} s (${meter.accounted} of ${settle.count})` : `all ${settle.count.toLocaleString()} packets at the reader ${settle.ms.toFixed(0)} ms after the last PUBACK (goal ≤ 1000 ms)`);
}

async function throughWebServer(): Promise<void> {
  const why = labServerMissing();
  if (why) return console.log(`web server path skipped: ${why}`);
  const lab = await startLabServer();
  try {
    const ws = new WebSocket(`${lab.origin.replace('http:', 'ws:')}/api?token=${lab.token}`, { origin: lab.origin });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const meter = new StreamMeter();
    const receiver = new EventReceiver({ dispatch: () => undefined, grant: (n) => ws.send(JSON.stringify({ kind: 'credit', n })), later: (fn) => setImmediate(fn) });
    const calls = new Map<number, (v: unknown) => void>();
    let id = 0;
    ws.on('message', (m) => {
      const text = String(m);
      if (text.startsWith('{"kind":"result"')) {
        const f = JSON.parse(text) as { id: number; result: unknown };
        calls.get(f.id)?.(f.result);
        return;
      }
      meter.add(text);
      receiver.receive(text);
    });
    const captured = (): Promise<number> => new Promise((resolve) => {
      const n = ++id;
      calls.set(n, (r) => resolve((r as { packets: { count: number } }).packets.count));
      ws.send(JSON.stringify({ kind: 'call', id: n, method: 'lab.status', params: {} }));
    });
    const burst = await runBurst(lab.mqtt.host, lab.mqtt.port, RATE, SECONDS);
    report('WebSocket (real mqtt-lab web server)', meter, burst, await timeUntilAll(() => meter.accounted, captured));
    ws.close();
  } finally {
    await lab.stop();
  }
}

type Listener = (event: unknown, ...args: unknown[]) => void;

async function throughIpcBridge(): Promise<void> {
  const lab = await createLab({ port: 0, lessonDirs: [] });
  try {
    const listeners = new Map<string, Listener>();
    const ipc: IpcMainLike = {
      handle: () => undefined,
      removeHandler: () => undefined,
      on: (ch, l) => listeners.set(ch, l),
      removeListener: (ch) => listeners.delete(ch),
    };
    const meter = new StreamMeter();
    // Electron delivers IPC messages as tasks of their own: so do the fake webContents and ipcRenderer here.
    const receiver = new EventReceiver({
      dispatch: () => undefined,
      grant: (n) => setImmediate(() => listeners.get(CREDIT_CHANNEL)?.({}, n)),
      later: (fn) => setImmediate(fn),
    });
    const webContents = {
      send: (channel: string, frame: unknown) => {
        if (channel !== EVENT_CHANNEL) return;
        setImmediate(() => {
          meter.add(frame as string);
          receiver.receive(frame);
        });
      },
      isDestroyed: () => false,
    };
    // Wired as the app wires it (src/main/index.ts): live packets by seq, summarised as frames are built.
    const undo = bridgeLabToIpc(ipc, lab.api, () => webContents, {
      stream: { summaryAt: (seq) => lab.summaryAt(seq) },
      packetSeqs: (listener) => lab.onPacketSeq(listener),
    });
    listeners.get(START_CHANNEL)?.({});
    const captured = async (): Promise<number> => (await lab.api.call('lab.status', {})).packets.count;
    const burst = await runBurst('127.0.0.1', lab.tapAddress.port, RATE, SECONDS);
    report('Electron IPC bridge (fake ipcMain and renderer)', meter, burst, await timeUntilAll(() => meter.accounted, captured));
    undo();
  } finally {
    await lab.stop();
  }
}

console.log(`bench/ui-stream${QUICK ? ' --quick' : ''}: ${RATE.toLocaleString()} packets/s for ${SECONDS} s from 4 mqtt.js clients through the tap`);
await throughWebServer();
await throughIpcBridge();
process.exit(failed ? 1 : 0);
