// The embedded broker's thread (aedes-thread.ts starts it): aedes with the same options, events and access
// rules as in the lab's own thread, serving the connections the tap opens over the port.
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

broker.start().then(
  (info) => streams.note({ kind: 'ready', info }),
  (err: Error) => streams.note({ kind: 'failed', message: err.message }),
);
