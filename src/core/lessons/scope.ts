// What a lesson has declared so far, read top to bottom: the clients created and the fault rules named.
// A step may only use a client created by an earlier action (in an earlier step or above it in the same
// step), exactly the order in which the engine will run them.
import type { MqttVersion } from '../../shared/packet.js';
import type { SourcePos } from '../../shared/lesson.js';
import type { Reader } from './yaml-reader.js';

export interface DeclaredClient {
  version: MqttVersion;
  at: SourcePos;
}

export class Scope {
  readonly clients = new Map<string, DeclaredClient>();
  /** Fault rules named and not cleared since, each with whether it retires itself (`times`). */
  readonly faultIds = new Map<string, boolean>();
  /** Names of HTTP clients (http-post, http-poll), declared on first use. */
  readonly httpClients = new Set<string>();
}

/** Everything the parsers of one block need: where to report, what is declared, what is known. */
export interface ParseContext {
  r: Reader;
  scope: Scope;
  /** Every field filter name the dissector emits. */
  filters: ReadonlySet<string>;
  requires: readonly string[];
  /** Front matter `broker: mosquitto`: the lesson runs on mosquitto, which speaks MQTT 5. */
  broker?: 'mosquitto';
}
