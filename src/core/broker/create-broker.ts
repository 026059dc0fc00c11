// One entry point for the Lab and the CLI: which broker sits behind the tap.
import { availableParallelism } from 'node:os';
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
   * Where the embedded broker's thread starts from (aedes-worker.ts compiled, or its boot file): default the
   * sources' when the lab runs from them. It is used on a machine with a core to spare (threadPays); false
   * keeps aedes in this thread whatever the machine.
   */
  brokerThread?: URL | false;
}

/**
 * Whether aedes gets a thread of its own on a machine with this many cores. With three or more, the relay
 * and the broker each take one while the clients have the rest. With two (measured on this kind of VM, bench
 * clients on the same machine, s12): CPU-bound rounds gained (QoS 0 at 64 B 0.88 → 1.13-1.54 of aedes alone)
 * but a third busy thread waited for a core at every hand-over, and rounds bound by round trips lost more
 * (QoS 2 at 4 kB 0.78 → 0.53; the added p99 latency passed 1 ms).
 */
export function threadPays(cores: number): boolean {
  return cores >= 3;
}

export function createBroker(opts: CreateBrokerOptions): BrokerHost {
  switch (opts.kind) {
    case 'aedes': {
      const options = { users: opts.users, acl: opts.acl, port: opts.port };
      const entry = opts.brokerThread === false ? undefined : opts.brokerThread ?? sourceWorkerEntry();
      const thread = entry !== undefined && threadPays(availableParallelism());
      return thread ? new AedesThreadBroker(entry, options) : new AedesBroker(options);
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
