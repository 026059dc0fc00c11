// The lab's own certificate authority and the tap's server certificate, made on first use and reused, so
// a student gives real clients one CA file (`mosquitto_pub --cafile`, paho `tls_set(ca_certs=…)`) once.
// Keys come from Node's crypto (native, fast); node-forge builds and signs the X.509 certificates.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';

export interface LabCertificates {
  /** The CA certificate file to give clients. */
  caFile: string;
  caPem: string;
  certPem: string;
  keyPem: string;
  /** True when this call made a new CA (first use). */
  created: boolean;
}

const FILES = { caCert: 'ca.crt', caKey: 'ca.key', cert: 'server.crt', key: 'server.key' };

/** Loads the CA and server certificate from `dir`, making what is missing; the server certificate is re-issued when it does not name this machine. */
export function labCertificates(dir: string): LabCertificates {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = (f: string) => join(dir, f);
  let created = false;
  if (!existsSync(path(FILES.caCert)) || !existsSync(path(FILES.caKey))) {
    const ca = makeCa();
    writeFileSync(path(FILES.caKey), ca.keyPem, { mode: 0o600 });
    writeFileSync(path(FILES.caCert), ca.certPem);
    created = true;
  }
  const caPem = readFileSync(path(FILES.caCert), 'utf8');
  const names = serverNames();
  let certPem = existsSync(path(FILES.cert)) ? readFileSync(path(FILES.cert), 'utf8') : '';
  if (created || !existsSync(path(FILES.key)) || certPem === '' || !covers(certPem, caPem, names)) {
    const server = makeServerCert(caPem, readFileSync(path(FILES.caKey), 'utf8'), names);
    writeFileSync(path(FILES.key), server.keyPem, { mode: 0o600 });
    writeFileSync(path(FILES.cert), server.certPem);
    certPem = server.certPem;
  }
  return { caFile: path(FILES.caCert), caPem, certPem, keyPem: readFileSync(path(FILES.key), 'utf8'), created };
}

interface Names { dns: string[]; ips: string[] }

/** Names a client may use for the tap: loopback, this host's name, and its current addresses (for --lan). */
function serverNames(): Names {
  const ips = new Set(['127.0.0.1', '::1']);
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (!a.internal && a.family === 'IPv4') ips.add(a.address);
  const dns = [...new Set(['localhost', hostname()])].filter((n) => /^[A-Za-z0-9.-]+$/.test(n));
  return { dns, ips: [...ips] };
}

function rsaKeys(): { publicKey: forge.pki.PublicKey; privateKey: forge.pki.rsa.PrivateKey; keyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  return {
    publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
    privateKey: forge.pki.privateKeyFromPem(keyPem),
    keyPem,
  };
}

function newCert(publicKey: forge.pki.PublicKey, years: number, days = 0): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // A positive serial: the top bit clear, as DER INTEGERs are signed.
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  cert.serialNumber = serial.toString('hex');
  const from = new Date(Date.now() - 60 * 60 * 1000);
  const to = new Date(from);
  to.setFullYear(to.getFullYear() + years);
  to.setDate(to.getDate() + days);
  cert.validity.notBefore = from;
  cert.validity.notAfter = to;
  return cert;
}

function makeCa(): { certPem: string; keyPem: string } {
  const k = rsaKeys();
  const cert = newCert(k.publicKey, 10);
  const subject = [{ name: 'commonName', value: `MQTT Lab local CA (${hostname()})` }, { name: 'organizationName', value: 'MQTT Lab' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(k.privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: k.keyPem };
}

function makeServerCert(caPem: string, caKeyPem: string, names: Names): { certPem: string; keyPem: string } {
  const ca = forge.pki.certificateFromPem(caPem);
  const k = rsaKeys();
  // 825 days at most: what Apple's clients accept for a server certificate.
  const cert = newCert(k.publicKey, 2, 0);
  cert.setSubject([{ name: 'commonName', value: 'localhost' }, { name: 'organizationName', value: 'MQTT Lab' }]);
  cert.setIssuer(ca.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [...names.dns.map((value) => ({ type: 2, value })), ...names.ips.map((ip) => ({ type: 7, ip }))] },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(caKeyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: k.keyPem };
}

/** Whether a stored server certificate is still good: signed by this CA, valid a while longer, naming every current name. */
function covers(certPem: string, caPem: string, names: Names): boolean {
  try {
    const cert = forge.pki.certificateFromPem(certPem);
    const ca = forge.pki.certificateFromPem(caPem);
    if (!ca.verify(cert)) return false;
    if (cert.validity.notAfter.getTime() < Date.now() + 7 * 24 * 3600 * 1000) return false;
    const san = cert.getExtension('subjectAltName') as { altNames?: Array<{ type: number; value?: string; ip?: string }> } | null;
    const have = new Set((san?.altNames ?? []).map((a) => a.ip ?? a.value));
    return [...names.dns, ...names.ips].every((n) => have.has(n));
  } catch {
    return false;
  }
}
