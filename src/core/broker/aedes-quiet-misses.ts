// aedes asks its persistence for every new QoS 2 PUBLISH whether it holds one with that packet id already
// (MQTT-4.3.3-2: a duplicate is acknowledged, not delivered again). The memory persistence answers "no" by
// throwing an Error, and an Error captures a stack trace: ~8 µs a message, 16 % of `mqtt-lab broker`'s busy
// time at QoS 2 (bench/tap-profile --qos 2). The answer aedes acts on is the rejection, not its stack, so
// the lookup runs with no frames captured. Any other failure keeps its stack: a lookup that fails does so
// before its first await, in this call, and only a missing packet makes it fail.
interface IncomingLookup {
  incomingGetPacket(client: unknown, packet: unknown): Promise<unknown>;
}

/** Wraps the lookup of the persistence aedes made (`aedes.persistence`), in place. */
export function quietIncomingMisses(persistence: unknown): void {
  // aedes 1.x: a callback facade over the promise-based store it calls (`asyncPersistence`).
  const store = (persistence as { asyncPersistence?: IncomingLookup } | undefined)?.asyncPersistence;
  if (store === undefined || typeof store.incomingGetPacket !== 'function') return;
  const lookup = store.incomingGetPacket.bind(store);
  store.incomingGetPacket = (client, packet) => {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return lookup(client, packet);
    } finally {
      Error.stackTraceLimit = limit;
    }
  };
}
