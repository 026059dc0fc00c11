// The lab's CA: made once in the folder it is given, reused after, and a server certificate that openssl
// verifies against it for the names students use.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { labCertificates } from '../../src/core/tls/certificates.js';
import { tlsFolder, userDataFolder } from '../../src/core/tls/data-folder.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'mqtt-lab-ca-'));
  dirs.push(d);
  return join(d, 'tls');
}

describe('lab certificates', () => {
  it('are made on first use, kept private, and reused', () => {
    const dir = tempDir();
    const first = labCertificates(dir);
    expect(first.created).toBe(true);
    expect(first.caFile).toBe(join(dir, 'ca.crt'));
    expect(statSync(join(dir, 'ca.key')).mode & 0o077).toBe(0);
    const again = labCertificates(dir);
    expect(again.created).toBe(false);
    expect(again.caPem).toBe(first.caPem);
    expect(again.certPem).toBe(first.certPem);
  });

  it.skipIf(spawnSync('openssl', ['version']).status !== 0)('give a server certificate openssl verifies for localhost and 127.0.0.1', () => {
    const dir = tempDir();
    const c = labCertificates(dir);
    const cert = join(dir, 'server.crt');
    for (const check of [['-verify_hostname', 'localhost'], ['-verify_ip', '127.0.0.1']]) {
      const r = spawnSync('openssl', ['verify', '-CAfile', c.caFile, '-purpose', 'sslserver', ...check, cert], { encoding: 'utf8' });
      expect(r.stdout.trim(), r.stderr).toBe(`${cert}: OK`);
    }
    expect(readFileSync(c.caFile, 'utf8')).toContain('BEGIN CERTIFICATE');
  });

  it('a damaged server certificate is issued anew by the same CA', () => {
    const dir = tempDir();
    const first = labCertificates(dir);
    rmSync(join(dir, 'server.crt'));
    const again = labCertificates(dir);
    expect(again.caPem).toBe(first.caPem);
    expect(again.certPem).not.toBe(first.certPem);
  });
});

describe('the data folder', () => {
  it('follows MQTT_LAB_DATA, then the platform convention; MQTT_LAB_TLS_DIR overrides the tls folder', () => {
    expect(userDataFolder({ MQTT_LAB_DATA: '/x' }, 'linux')).toBe('/x');
    expect(userDataFolder({ XDG_CONFIG_HOME: '/cfg' }, 'linux')).toBe(join('/cfg', 'mqtt-lab'));
    expect(userDataFolder({ APPDATA: 'C:/Users/a/AppData/Roaming' }, 'win32')).toBe(join('C:/Users/a/AppData/Roaming', 'mqtt-lab'));
    expect(tlsFolder({ MQTT_LAB_DATA: '/x' })).toBe(join('/x', 'tls'));
    expect(tlsFolder({ MQTT_LAB_TLS_DIR: '/ca' })).toBe('/ca');
  });
});
