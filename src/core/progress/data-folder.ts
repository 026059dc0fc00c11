// Where a user's progress is saved when nothing else is said: the platform's usual place for app data.
// MQTT_LAB_DATA overrides it (and tests point it at a temporary folder).
import { homedir } from 'node:os';
import { join } from 'node:path';

export const DATA_ENV = 'MQTT_LAB_DATA';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const set = env[DATA_ENV];
  if (set !== undefined && set !== '') return set;
  if (platform === 'win32') return join(env['APPDATA'] ?? join(homedir(), 'AppData', 'Roaming'), 'MQTT Lab');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'MQTT Lab');
  return join(env['XDG_DATA_HOME'] || join(homedir(), '.local', 'share'), 'mqtt-lab');
}
