// Time as the lab sees it: the wall clock in the product, a clock that tests move by hand so that delays,
// holds, step mode and keepalives are checked without sleeping (the MQTT.js KeepaliveManager way).

/** Whatever the clock's setTimeout returns; only its own clearTimeout understands it. */
export type TimerHandle = { readonly __timer: unique symbol } | number | object;

export interface Clock {
  /** Epoch milliseconds, with sub-millisecond precision where the platform has it. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
}

export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms) as unknown as TimerHandle,
  clearTimeout: (h) => {
    if (h !== undefined) clearTimeout(h as Parameters<typeof clearTimeout>[0]);
  },
};
