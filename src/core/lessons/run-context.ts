// The state one lesson run shares between its actions, its expectations and the reset afterwards: the
// lab, what the engine observes of it, and what the lesson created there (so that it can be undone).
import type { LabApi } from '../../shared/api.js';
import type { ConnackResult } from '../../shared/lab.js';
import type { InFlight } from './in-flight.js';
import type { LabObserver } from './lab-observer.js';
import type { Identities } from './match-packet.js';

export interface LessonClient {
  /** The MQTT client identifier it connects with. */
  clientId: string;
  /** A session the broker keeps after the connection ends (clean false, or an MQTT 5 session expiry). */
  durable: boolean;
}

export class RunContext implements Identities {
  /** Lab clients this run created, by lesson id. */
  readonly clients = new Map<string, LessonClient>();
  /** Topics that may now hold a retained message because of this lesson (publishes and wills). */
  readonly retainedTopics = new Set<string>();
  /** Connects the engine stopped waiting for (the tap keeps back the CONNECT or CONNACK). */
  readonly connecting = new Map<string, InFlight<ConnackResult>>();
  /** The lesson set the broker's users and ACL (front matter `broker:`): the reset turns them off again. */
  brokerConfigured = false;
  /** Ids of the fault rules the run added, in order (a step's re-run takes its own away first). */
  readonly rulesAdded: string[] = [];
  /** The lesson used the lab's web server (http-post, http-poll): the reset forgets its readings. */
  usedHttp = false;

  constructor(readonly api: LabApi, readonly obs: LabObserver) {}

  mqttId(client: string): string {
    return this.clients.get(client)?.clientId ?? client;
  }

  clientIdOf = (p: Parameters<LabObserver['clientIdOf']>[0]): string | undefined => this.obs.clientIdOf(p);
}
