// aedes alone in a process of its own, as a user runs a plain aedes broker: the same broker host the Lab
// embeds (same aedes options, Nagle off on accepted sockets), no tap, no capture. bench/tap compares the
// child-process setups (`mqtt-lab broker`, `web`) with it, so that a process boundary both sides have is
// not charged to the tap. SIGTERM stops it.
//   node --import tsx bench/tap-support/aedes-process.ts PORT
import { AedesBroker } from '../../src/core/broker/index.js';

const broker = new AedesBroker({ port: Number(process.argv[2]) });
await broker.start();
process.on('SIGTERM', () => {
  void broker.stop().finally(() => process.exit(0));
});
