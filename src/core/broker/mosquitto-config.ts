// The text of the files a mosquitto 2.0 child broker runs from: its config, its acl_file and (when
// mosquitto_passwd is missing) its password file.
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import type { AclAccess, AclRule } from '../../shared/lab.js';

export interface MosquittoConfigInput {
  host: string;
  port: number;
  passwordFile?: string;
  aclFile?: string;
  /** mosquitto started as root drops to user `mosquitto`, which cannot read our 0600 files; stay root instead. */
  runningAsRoot: boolean;
}

export function mosquittoConfigText(input: MosquittoConfigInput): string {
  const lines = [
    `listener ${input.port} ${input.host}`,
    // Every lesson starts from an empty broker; nothing may leak from one run into the next.
    'persistence false',
    `allow_anonymous ${input.passwordFile === undefined ? 'true' : 'false'}`,
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
    'connection_messages true',
    // Nagle's algorithm held a lone small packet back until the peer's delayed ACK (about 40 ms on Linux):
    // a packet a student sends would reach the diagram that late, and the bench's "direct" p99 read 40 ms.
    'set_tcp_nodelay true',
  ];
  if (input.passwordFile !== undefined) lines.push(`password_file ${input.passwordFile}`);
  if (input.aclFile !== undefined) lines.push(`acl_file ${input.aclFile}`);
  if (input.runningAsRoot) lines.push('user root');
  return lines.join('\n') + '\n';
}

const ACCESS: Record<AclAccess, string> = { publish: 'write', subscribe: 'read', both: 'readwrite' };

/**
 * Our rules as an acl_file. Rules without a user become `pattern` lines, which apply to every client
 * (a plain `topic` line before any `user` line would apply to anonymous clients only). What acl_file cannot
 * express is refused with the reason rather than approximated.
 */
export function aclFileText(rules: readonly AclRule[]): string {
  const everyone: string[] = [];
  const byUser = new Map<string, string[]>();
  rules.forEach((rule, i) => {
    const where = `ACL rule ${i + 1} (${JSON.stringify(rule.topic)})`;
    if (rule.clientId !== undefined) {
      throw new Error(`${where}: mosquitto's acl_file cannot restrict a rule to a client id; use user, or the embedded broker`);
    }
    if (!rule.allow && rule.access !== 'both') {
      throw new Error(`${where}: mosquitto's acl_file can only deny both publish and subscribe; leave out the allow rule instead`);
    }
    for (const text of [rule.topic, rule.user ?? '']) {
      if (/[\r\n]/.test(text)) throw new Error(`${where}: a topic or user name with a line break cannot go into an acl_file`);
    }
    if (rule.topic === '') throw new Error(`${where}: empty topic filter`);
    const access = rule.allow ? ACCESS[rule.access] : 'deny';
    if (rule.user === undefined) {
      everyone.push(`pattern ${access} ${rule.topic}`);
    } else {
      const list = byUser.get(rule.user) ?? [];
      list.push(`topic ${access} ${rule.topic}`);
      byUser.set(rule.user, list);
    }
  });
  const lines: string[] = [];
  for (const [user, list] of byUser) lines.push(`user ${user}`, ...list);
  lines.push(...everyone);
  return lines.join('\n') + '\n';
}

/**
 * One password-file line in mosquitto 2.0's own `$7$` format: PBKDF2-SHA512, 101 iterations, a 12-byte salt,
 * both base64. Used only when mosquitto_passwd is not installed.
 */
export function passwordFileLine(user: string, password: string): string {
  if (user.includes(':') || /[\r\n]/.test(user)) throw new Error(`user name ${JSON.stringify(user)} cannot go into a mosquitto password file`);
  const salt = randomBytes(12);
  const hash = pbkdf2Sync(password, salt, 101, 64, 'sha512');
  return `${user}:$7$101$${salt.toString('base64')}$${hash.toString('base64')}`;
}
