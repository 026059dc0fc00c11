// Where the app keeps what it makes for the user (the local CA): the same folder Electron calls
// userData for an app named mqtt-lab, so the desktop app and the CLI share one CA.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function userDataFolder(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.MQTT_LAB_DATA) return env.MQTT_LAB_DATA;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'mqtt-lab');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'mqtt-lab');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'mqtt-lab');
}

/** The folder of the CA and server certificate: MQTT_LAB_TLS_DIR, else `tls/` in the data folder. */
export function tlsFolder(env: NodeJS.ProcessEnv = process.env): string {
  return env.MQTT_LAB_TLS_DIR || join(userDataFolder(env), 'tls');
}
