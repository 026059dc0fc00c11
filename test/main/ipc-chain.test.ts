// The desktop app's whole event path without Electron: the real preload (with Electron's contextBridge and
// ipcRenderer played by fakes), the renderer's IpcLabApi and the main process's bridge over a real Lab. Packets
// reach the page's listeners as summaries, and the page's credit finds its way back to the sender.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { saveCaptureToFile } from '../../src/core/lab/save-to-file.js';
import { createLab, type Lab } from '../../src/core/lab/index.js';
import { bridgeLabToIpc, type IpcBridge as MainBridge, type IpcMainLike } from '../../src/main/ipc-bridge.js';
import type { PacketSummary } from '../../src/shared/api.js';
import { IpcLabApi, type IpcBridge } from '../../src/renderer/lib/transport-ipc.js';

type Handler = (event: unknown, ...args: unknown[]) => unknown;

const mainHandlers = new Map<string, Handler>();
const mainListeners = new Map<string, Set<Handler>>();
const pageListeners = new Map<string, Set<Handler>>();
const exposed: Record<string, unknown> = {};
const sentToMain: string[] = [];

const ipcMain: IpcMainLike = {
  handle: (ch, h) => void mainHandlers.set(ch, h),
  removeHandler: (ch) => void mainHandlers.delete(ch),
  on: (ch, l) => {
    if (!mainListeners.has(ch)) mainListeners.set(ch, new Set());
    mainListeners.get(ch)!.add(l);
  },
  removeListener: (ch, l) => void mainListeners.get(ch)?.delete(l),
};

// Messages between the processes arrive as tasks of their own, as in Electron.
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, value: unknown) => (exposed[key] = value) },
  ipcRenderer: {
    invoke: (ch: string, ...args: unknown[]) => Promise.resolve().then(() => mainHandlers.get(ch)!({}, ...args)),
    send: (ch: string, ...args: unknown[]) => {
      sentToMain.push(ch);
      setImmediate(() => mainListeners.get(ch)?.forEach((l) => l({}, ...args)));
    },
    on: (ch: string, h: Handler) => {
      if (!pageListeners.has(ch)) pageListeners.set(ch, new Set());
      pageListeners.get(ch)!.add(h);
    },
    off: (ch: string, h: Handler) => void pageListeners.get(ch)?.delete(h),
  },
}));

const webContents = {
  send: (ch: string, payload: unknown) => setImmediate(() => pageListeners.get(ch)?.forEach((h) => h({}, payload))),
  isDestroyed: () => false,
};

let lab: Lab | null = null;
let undo: MainBridge | null = null;
afterEach(async () => {
  undo?.();
  await lab?.stop();
  lab = null;
});

describe('desktop event path: preload, renderer transport and main bridge', () => {
  // The app wires the bridge by seq (src/main/index.ts), as `mqtt-lab web` does; the API's 'packet' event is the
  // other way in, and both must bring the page the same summaries.
  it.each([
    ['from the API\'s packet events', false],
    ['by seq, summarised only as frames are built (as the app wires it)', true],
  ])('brings the Lab\'s packets to the page as summaries and the page\'s credit back to the sender, %s', async (_how, bySeq) => {
    sentToMain.length = 0;
    const l = (lab = await createLab({ port: 0, lessonDirs: [] }));
    let madeInFrames = 0;
    undo = bridgeLabToIpc(ipcMain, l.api, () => webContents, bySeq
      ? { stream: { initialCredit: 2, summaryAt: (seq) => (madeInFrames++, l.summaryAt(seq)) }, packetSeqs: (listener) => l.onPacketSeq(listener) }
      : { stream: { initialCredit: 2 } });
    (globalThis as Record<string, unknown>).__MQTT_LAB_VERSION__ = '0.0.0-test';
    await import('../../src/preload/index.js');
    const bridge = exposed.mqttLab as IpcBridge & { version: string };
    expect(bridge.version).toBe('0.0.0-test');
    // Nothing of ipcRenderer itself reaches the page.
    expect(Object.keys(bridge).sort()).toEqual(['call', 'credit', 'stream', 'version']);

    const api = new IpcLabApi(bridge);
    const packets: PacketSummary[] = [];
    const missed: unknown[] = [];
    api.on('packet', (p) => packets.push(p));
    api.on('missed', (m) => missed.push(m));
    await vi.waitFor(() => expect(sentToMain).toContain('lab:stream-start'));

    await api.call('clients.create', { id: 'sensor' });
    await api.call('clients.connect', { id: 'sensor' });
    for (let i = 0; i < 20; i++) {
      await api.call('clients.publish', { id: 'sensor', topic: 'home/temp', payload: String(20 + i), qos: 1 });
      // A tick between publishes: more frames than the initial credit of 2, so only credit paid back lets them through.
      await new Promise((r) => setTimeout(r, 20));
    }
    const captured = (await api.call('lab.status', {})).packets.count;
    await vi.waitFor(() => expect(packets.length).toBe(captured), { timeout: 5000 });
    expect(packets.filter((p) => p.type === 'PUBLISH').map((p) => p.payloadText)).toEqual(Array.from({ length: 20 }, (_, i) => String(20 + i)));
    expect(packets.filter((p) => p.type === 'PUBACK')).toHaveLength(20);
    expect(missed).toEqual([]);
    // Exactly the summaries the core answers a query with: nothing made up on the way.
    expect(packets).toEqual(await api.call('packets.query', {}));
    // By seq, every summary the page got was made as its frame was built.
    expect(madeInFrames).toBe(bySeq ? packets.length : 0);
    expect(undo.sender.stats.frames).toBeGreaterThan(2);
    expect(sentToMain.filter((c) => c === 'lab:credit').length).toBeGreaterThan(0);
    // A wrong call fails with the contract's message, through the same path.
    await expect(api.call('no.such' as never, {} as never)).rejects.toThrow(/unknown command/);
    // A save pulled part by part through IPC, into a file, is the capture capture.save gives whole.
    const dir = mkdtempSync(join(tmpdir(), 'mqtt-lab-ipc-save-'));
    try {
      const done = await saveCaptureToFile(api, join(dir, 'ipc.pcapng'));
      expect(done).toMatchObject({ phase: 'done', total: captured });
      expect(readFileSync(join(dir, 'ipc.pcapng')).toString('base64')).toBe((await api.call('capture.save', {})).pcapng);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    api.close();
  });
});
