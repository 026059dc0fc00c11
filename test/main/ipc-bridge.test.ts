// The Electron main process only wires a Lab to IPC; this drives that wiring with a fake ipcMain and a
// real Lab, so it is tested without Electron.
import { afterEach, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../src/core/lab/index.js';
import { bridgeLabToIpc, CALL_CHANNEL, EVENT_CHANNEL, type IpcMainLike } from '../../src/main/ipc-bridge.js';
import { menuTemplate } from '../../src/main/menu.js';

class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  handle(channel: string, listener: (event: unknown, ...args: unknown[]) => unknown): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    const h = this.handlers.get(channel);
    if (h === undefined) return Promise.reject(new Error(`no handler for ${channel}`));
    return Promise.resolve().then(() => h({}, ...args));
  }
}

let lab: Lab | null = null;
afterEach(async () => {
  await lab?.stop();
  lab = null;
});

describe('IPC bridge', () => {
  it('answers calls and forwards every Lab event to the window', async () => {
    lab = await createLab({ port: 0 });
    const ipc = new FakeIpcMain();
    const sent: Array<{ channel: string; payload: { event: string; data: unknown } }> = [];
    const target = { send: (channel: string, payload: unknown) => sent.push({ channel, payload: payload as { event: string; data: unknown } }), isDestroyed: () => false };
    const undo = bridgeLabToIpc(ipc, lab.api, () => target);

    const status = await ipc.invoke(CALL_CHANNEL, 'lab.status', {}) as { tap: { port: number } };
    expect(status.tap.port).toBe(lab.tapAddress.port);

    await ipc.invoke(CALL_CHANNEL, 'clients.create', { id: 'sensor' });
    await ipc.invoke(CALL_CHANNEL, 'clients.connect', { id: 'sensor' });
    await ipc.invoke(CALL_CHANNEL, 'clients.publish', { id: 'sensor', topic: 'home/temp', payload: '21.5', qos: 1 });
    const packets = sent.filter((s) => s.channel === EVENT_CHANNEL && s.payload.event === 'packet').map((s) => (s.payload.data as { decoded: { type: string } }).decoded.type);
    expect(packets).toEqual(expect.arrayContaining(['CONNECT', 'CONNACK', 'PUBLISH', 'PUBACK']));
    expect(sent.some((s) => s.payload.event === 'client')).toBe(true);

    await expect(ipc.invoke(CALL_CHANNEL, 'no.such.command', {})).rejects.toThrow(/unknown command 'no.such.command'/);
    await expect(ipc.invoke(CALL_CHANNEL, 42, {})).rejects.toThrow(/needs a command name/);

    undo();
    expect(ipc.handlers.size).toBe(0);
    const before = sent.length;
    await lab.api.call('packets.clear', {});
    expect(sent.length).toBe(before);
  });

  it('sends nothing to a destroyed window', async () => {
    lab = await createLab({ port: 0 });
    const ipc = new FakeIpcMain();
    let count = 0;
    bridgeLabToIpc(ipc, lab.api, () => ({ send: () => count++, isDestroyed: () => true }));
    await lab.api.call('packets.clear', {});
    expect(count).toBe(0);
  });
});

describe('application menu', () => {
  it('offers capture open/save, the lessons folder and quit, each wired to its action', () => {
    const called: string[] = [];
    const menu = menuTemplate({
      openCapture: () => called.push('open'), saveCapture: () => called.push('save'),
      openLessonsFolder: () => called.push('lessons'), quit: () => called.push('quit'),
    });
    const items = menu.flatMap((m) => m.submenu ?? []);
    for (const label of ['Open Capture…', 'Save Capture as pcapng…', 'Open My Lessons Folder', 'Quit']) {
      items.find((i) => i.label === label)!.click!();
    }
    expect(called).toEqual(['open', 'save', 'lessons', 'quit']);
  });
});
