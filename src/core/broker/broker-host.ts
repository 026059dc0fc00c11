// The contract every broker behind the tap fulfils, whether it runs in this process, as a child process, or
// somewhere else entirely.
import type { Duplex } from 'node:stream';
import type { AclRule, BrokerEvent, BrokerInfo, BrokerKind } from '../../shared/lab.js';

export type BrokerEventListener = (event: BrokerEvent) => void;

export interface BrokerHost {
  readonly kind: BrokerKind;
  /** Starts the broker (or checks the upstream one) and says where it listens. Calling it twice is harmless. */
  start(): Promise<BrokerInfo>;
  /** Stops it and releases every socket, timer, child process and temp file. Idempotent. */
  stop(): Promise<void>;
  /** Changes users and ACL while running; only brokers configured from here (the embedded one) can. */
  configureAuth?(auth: AuthOptions): void;
  /**
   * A new client connection as an in-process stream, for a broker that runs in this process (the tap's
   * side of it; the broker holds the other). Saves the two loopback socket hops per packet of a TCP
   * connection; brokers in another process have none and are reached by TCP. Only while started.
   */
  connect?(): Duplex;
  /** Broker-side facts; returns the function that unsubscribes. */
  onEvent(listener: BrokerEventListener): () => void;
}

export interface AuthOptions {
  /** User name → password. When set, only these users may connect. */
  users?: Record<string, string>;
  acl?: AclRule[];
}

/** A set of listeners; broker hosts share it so each need not re-implement subscribe/unsubscribe. */
export class BrokerEvents {
  private readonly listeners = new Set<BrokerEventListener>();

  on(listener: BrokerEventListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  emit(event: BrokerEvent): void {
    for (const listener of this.listeners) {
      // A faulty listener must not break the broker's own bookkeeping.
      try {
        listener(event);
      } catch {
        // ignored on purpose
      }
    }
  }
}

export function now(): number {
  return performance.timeOrigin + performance.now();
}
