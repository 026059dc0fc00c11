// The embedded broker's thread (aedes-thread.ts starts it): aedes with the same options, events and access
// rules as in the lab's own thread, serving the connections the tap opens over the port.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { AedesBroker, type AedesBrokerOptions } from './aedes-broker.js';
import { PortStreams, type PortBatch } from './port-streams.js';
import type { ToBrokerThread } from './aedes-thread-notes.js';

const port = parentPort;
if (port === null) throw new Error('aedes-worker.ts runs as a worker thread (see aedes-thread.ts)');

const broker = new AedesBroker(workerData as AedesBrokerOptions);
const streams = new PortStreams(port, (end) => {
  try {
    broker.accept(end);
  } catch {
    // Stopping already: the tap sees the connection close, as a refused socket would be.
    end.destroy();
  }
});
broker.onEvent((event) => streams.note({ kind: 'event', event }));

const act = (note: ToBrokerThread): void => {
  switch (note.kind) {
    case 'auth':
      broker.configureAuth(note.auth);
      return;
    case 'stop':
      void broker.stop().then(() => {
        streams.note({ kind: 'stopped' });
      });
      return;
  }
};
port.on('message', (batch: PortBatch) => streams.receive(batch, (n) => act(n as ToBrokerThread)));

// What the lab's thread sent arrives in buffers it allocated, and they count against its memory until this
// thread's heap lets them go, which an idle thread does late: after 200 MB of 1 MB messages ~10 MB were still
// held a few seconds on (test/lab/memory-bound). Once a burst of that size has ended, a collection here gives
// them back. Checked on a slow timer: nothing is added to the path of a packet.
const BURST_BYTES = 32 * 1_048_576;
let seenBytes = 0;
let collectedAt = 0;
setInterval(() => {
  const now = streams.bytesIn;
  const quiet = now === seenBytes;
  seenBytes = now;
  if (quiet && now - collectedAt >= BURST_BYTES) {
    collectedAt = now;
    collectGarbage();
  }
}, 250).unref();

function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

broker.start().then(
  (info) => streams.note({ kind: 'ready', info }),
  (err: Error) => streams.note({ kind: 'failed', message: err.message }),
);
