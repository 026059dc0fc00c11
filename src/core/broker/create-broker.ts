// One entry point for the Lab and the CLI: which broker sits behind the tap.
import type { AclRule, BrokerKind } from '../../shared/lab.js';
import { AedesBroker } from './aedes-broker.js';
import { AedesThreadBroker, sourceWorkerEntry } from './aedes-thread.js';
import type { BrokerHost } from './broker-host.js';
import { MosquittoBroker } from './mosquitto-broker.js';
import { UpstreamBroker } from './upstream-broker.js';

export interface CreateBrokerOptions {
  kind: BrokerKind;
  /** `host:port`, required for kind 'upstream'. */
  upstream?: string;
  users?: Record<string, string>;
  acl?: AclRule[];
  /** Embedded and mosquitto only; default a free port. */
  port?: number;
  /**
   * The embedded broker's thread (aedes-worker.ts compiled, or its boot file): default the sources' when the
   * lab runs from them; false keeps aedes in this thread.
   */
  brokerThread?: URL | false;
}

export function createBroker(opts: CreateBrokerOptions): BrokerHost {
  switch (opts.kind) {
    case 'aedes': {
      const options = { users: opts.users, acl: opts.acl, port: opts.port };
      const entry = opts.brokerThread === false ? undefined : opts.brokerThread ?? sourceWorkerEntry();
      return entry === undefined ? new AedesBroker(options) : new AedesThreadBroker(entry, options);
    }
    case 'mosquitto':
      return new MosquittoBroker({ users: opts.users, acl: opts.acl, port: opts.port });
    case 'upstream':
      if (opts.upstream === undefined) throw new Error('an upstream broker needs its address: --upstream host:port');
      if (opts.users !== undefined || opts.acl !== undefined) {
        throw new Error('users and ACL of an upstream broker are configured on that broker, not here');
      }
      return new UpstreamBroker(opts.upstream);
    default:
      throw new Error(`unknown broker kind ${JSON.stringify((opts as { kind: unknown }).kind)}`);
  }
}
