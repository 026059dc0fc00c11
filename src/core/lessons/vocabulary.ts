// The fixed words and limits of the lesson format, in one place so that the validator, the engine and
// lessons/README.md agree. Anything not listed here is a mistake in a lesson, never an extension point.
import type { AclAccess, ConnectionEnd, FaultAction } from '../../shared/lab.js';
import type { ActionKind, ExpectationKind, ViewName } from '../../shared/lesson.js';

export const FRONT_MATTER_KEYS = ['title', 'order', 'objectives', 'requires', 'broker'] as const;
export const REQUIREMENTS = ['mqtt5'] as const;

/** Front matter `broker:`: what the embedded broker enforces while the lesson runs. */
export const BROKER_KEYS = ['users', 'acl'] as const;
export const ACL_RULE_KEYS = ['user', 'clientId', 'topic', 'access', 'allow'] as const;
export const ACL_ACCESS: readonly AclAccess[] = ['publish', 'subscribe', 'both'];

export const STEP_KEYS = ['title', 'text', 'predict', 'choose', 'do', 'expect', 'explain', 'question', 'highlight', 'view', 'exercise'] as const;

export const ACTION_KINDS: readonly ActionKind[] = [
  'client', 'connect', 'publish', 'subscribe', 'unsubscribe', 'disconnect', 'kill', 'reconnect', 'sever',
  'fault', 'clear-faults', 'step-mode', 'release-next', 'release-all', 'wait', 'http-post', 'http-poll',
];

export const EXPECTATION_KINDS: readonly ExpectationKind[] = [
  'packet', 'no-packet', 'received', 'not-received', 'connection', 'order', 'quiz', 'tls-record', 'ws-frame',
];

/** How a lesson client reaches the tap (`client: { transport: tls }`). */
export const TRANSPORTS = ['tcp', 'tls', 'ws', 'wss'] as const;
/** TLS record content types and WebSocket opcodes, as `tls-record` and `ws-frame` name them (Wireshark's words). */
export const TLS_CONTENT = ['Handshake', 'Application Data', 'Alert', 'Change Cipher Spec'] as const;
export const WS_OPCODES = ['Binary', 'Text', 'Ping', 'Pong', 'Connection Close', 'Continuation'] as const;

export const VIEWS: readonly ViewName[] = ['sequence', 'packets', 'detail', 'clients', 'faults', 'topics', 'lesson'];

export const FAULT_ACTIONS: readonly FaultAction[] = ['drop', 'delay', 'hold', 'corrupt', 'sever'];
/** What a packet record's `fault` may say: a rule's action, or held by step mode. */
export const FAULT_RECORDS: readonly (FaultAction | 'step')[] = [...FAULT_ACTIONS, 'step'];

export const CONNECTION_ENDS: readonly ConnectionEnd[] = [
  'disconnect', 'client-closed', 'broker-closed', 'severed', 'keepalive-timeout', 'protocol-error', 'tap-limit',
];

/** A lesson may pause the lab, but a headless run of 14 lessons must stay short. */
export const MAX_WAIT_MS = 10_000;
/** The longest an expectation may wait: long enough for 1.5 × a keepalive of a few seconds. */
export const MAX_WITHIN_MS = 30_000;
/** The longest a delay fault may hold a packet in a lesson. */
export const MAX_DELAY_MS = 10_000;
export const MAX_RELEASE = 100;

/** How long an expectation waits when the lesson does not say. */
export const DEFAULT_WITHIN: Readonly<Record<Exclude<ExpectationKind, 'quiz'>, number>> = {
  packet: 2000,
  'no-packet': 1000,
  received: 2000,
  'not-received': 1000,
  connection: 2000,
  order: 3000,
  'tls-record': 2000,
  'ws-frame': 2000,
};

/** Lesson files larger than this are refused: a lesson is a page of prose, not a data dump. */
export const MAX_LESSON_BYTES = 512 * 1024;
