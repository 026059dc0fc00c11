// aedes asks its persistence, for every new QoS 2 PUBLISH, whether it already holds one with that packet id
// (MQTT-4.3.3-2: a duplicate is acknowledged, not delivered again). The memory persistence answers "no" by
// throwing from an async method: an Error with its stack, and a promise rejected before aedes attaches its
// handler, which Node's unhandled-rejection tracking then books and unbooks. ~4–8 µs a message, 16 % of
// `mqtt-lab broker`'s busy time at QoS 2 (bench/tap-profile --qos 2); a pending promise rejected a microtask
// later, its handler already attached, costs ~0.3 µs. So the ids the store holds are mirrored here, from the
// three calls that change them, and a lookup of one it cannot hold is answered without asking it.
interface IncomingStore {
  incomingStorePacket(client: { id: string }, packet: { messageId?: number }): Promise<unknown>;
  incomingGetPacket(client: { id: string }, packet: { messageId?: number }): Promise<unknown>;
  incomingDelPacket(client: { id: string }, packet: { messageId?: number }): Promise<unknown>;
  cleanIncoming(client: { id: string }): Promise<unknown>;
}

/** What the store itself says of a packet id it does not hold. */
const MISS = new Error('no such packet');

/** Wraps the incoming-packet calls of the persistence aedes made (`aedes.persistence`), in place. */
export function quietIncomingMisses(persistence: unknown): void {
  // aedes 1.x: a callback facade over the promise-based store it calls (`asyncPersistence`).
  const store = (persistence as { asyncPersistence?: IncomingStore } | undefined)?.asyncPersistence;
  const names = ['incomingStorePacket', 'incomingGetPacket', 'incomingDelPacket', 'cleanIncoming'] as const;
  if (store === undefined || names.some((n) => typeof store[n] !== 'function')) return;
  const [put, get, del, clean] = names.map((n) => store[n].bind(store)) as [IncomingStore['incomingStorePacket'], IncomingStore['incomingGetPacket'], IncomingStore['incomingDelPacket'], IncomingStore['cleanIncoming']];
  // Ids the store may hold, by client id: every id it holds is here (added before the store adds it,
  // removed after it removes it), so an id not here is one it does not hold.
  const held = new Map<string, Set<number | undefined>>();
  store.incomingStorePacket = (client, packet) => {
    let ids = held.get(client.id);
    if (ids === undefined) held.set(client.id, (ids = new Set()));
    ids.add(packet.messageId);
    return put(client, packet);
  };
  store.incomingGetPacket = (client, packet) => {
    if (held.get(client.id)?.has(packet.messageId) === true) return get(client, packet);
    // Rejected after the caller's `.then(found, missing)` is attached, as the store's own answer would be.
    return new Promise((_, reject) => queueMicrotask(() => reject(MISS)));
  };
  store.incomingDelPacket = (client, packet) => {
    const done = del(client, packet);
    held.get(client.id)?.delete(packet.messageId);
    return done;
  };
  store.cleanIncoming = (client) => {
    const done = clean(client);
    held.delete(client.id);
    return done;
  };
}
