// The Electron shell: one window, one Lab, the shared API over IPC. Everything else lives in src/core.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, Menu, session, shell } from 'electron';
import { createLab, type Lab } from '../core/lab/index.js';
import { saveCaptureToFile } from '../core/lab/save-to-file.js';
import { DATA_ENV } from '../core/progress/data-folder.js';
import { saveFraction } from '../shared/save-progress.js';
import { bridgeLabToIpc } from './ipc-bridge.js';
import { menuTemplate } from './menu.js';

// The renderer shows untrusted packet payloads and lesson text; it gets no Node, no navigation away
// from the app, no pop-ups and no device permissions, whatever it is tricked into asking for.
app.enableSandbox();

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

let lab: Lab | null = null;
let win: BrowserWindow | null = null;

function createWindow(): BrowserWindow {
  const w = new BrowserWindow({
    width: 1440,
    height: 900,
    title: 'MQTT Lab',
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    },
  });
  // electron-vite sets the variable only for `electron-vite dev`; a packaged app never trusts it.
  const devUrl = process.env['ELECTRON_RENDERER_URL'];
  if (devUrl && !app.isPackaged) void w.loadURL(devUrl);
  else void w.loadFile(join(import.meta.dirname, '../renderer/index.html'));
  return w;
}

/** The embedded broker's thread: its compiled entry, built beside this file (electron.vite.config.ts). */
const BROKER_THREAD = new URL('./aedes-worker.js', import.meta.url);

/** The students' port is 1883 unless something else holds it; then any free port, said in the UI. */
async function startLab(): Promise<Lab> {
  const opts = { lessonDirs: lessonSources(), dataDir: dataFolder(), reserveCapture: true, brokerThread: BROKER_THREAD };
  try {
    return await createLab({ ...opts, port: 1883 });
  } catch {
    return createLab({ ...opts, port: 0 });
  }
}

/** The built-in course ships inside the app; a lecturer's own lessons live in a folder of theirs, watched. */
function lessonSources(): Array<{ dir: string; origin: 'built-in' | 'yours' }> {
  return [{ dir: join(app.getAppPath(), 'lessons'), origin: 'built-in' }, { dir: lessonsFolder(), origin: 'yours' }];
}

/** Lesson progress and the student's name: the app's own data folder, unless MQTT_LAB_DATA names another. */
function dataFolder(): string {
  return process.env[DATA_ENV] || join(app.getPath('userData'), 'data');
}

function lessonsFolder(): string {
  const dir = join(app.getPath('documents'), 'MQTT Lab Lessons');
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function openCapture(): Promise<void> {
  if (lab === null || win === null) return;
  const r = await dialog.showOpenDialog(win, { filters: [{ name: 'Captures', extensions: ['pcapng', 'pcap', 'cap'] }], properties: ['openFile'] });
  if (r.canceled || r.filePaths[0] === undefined) return;
  try {
    await lab.api.call('capture.open', { pcapng: readFileSync(r.filePaths[0]).toString('base64') });
  } catch (e) {
    dialog.showErrorBox('Cannot open the capture', (e as Error).message);
  }
}

async function saveCapture(): Promise<void> {
  if (lab === null || win === null) return;
  const r = await dialog.showSaveDialog(win, { defaultPath: 'mqtt-lab.pcapng', filters: [{ name: 'pcapng', extensions: ['pcapng'] }] });
  if (r.canceled || r.filePath === undefined) return;
  // Part by part into the file while the lab keeps running; the taskbar shows how far it is.
  const w = win;
  try {
    await saveCaptureToFile(lab.api, r.filePath, {
      onProgress: (p) => w.setProgressBar(saveFraction(p)),
    });
  } catch (e) {
    dialog.showErrorBox('Cannot save the capture', (e as Error).message);
  } finally {
    w.setProgressBar(-1);
  }
}

void app.whenReady().then(async () => {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  lab = await startLab();
  // As `mqtt-lab web` does: live packets by seq, summarised only for the frames the window is sent.
  bridgeLabToIpc(ipcMain, lab.api, () => win?.webContents ?? null, {
    stream: { summaryAt: (seq) => lab!.summaryAt(seq) },
    packetSeqs: (listener) => lab!.onPacketSeq(listener),
  });
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate({
    openCapture: () => void openCapture(),
    saveCapture: () => void saveCapture(),
    openLessonsFolder: () => void shell.openPath(lessonsFolder()),
    quit: () => app.quit(),
  })));
  win = createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) win = createWindow();
  });
});

// Quit waits for the broker and tap to stop, so the students' port is free for the next start.
let stopping = false;
app.on('before-quit', (event) => {
  if (lab === null || stopping) return;
  event.preventDefault();
  stopping = true;
  void lab.stop().finally(() => {
    lab = null;
    app.quit();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
