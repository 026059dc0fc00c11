// The floor for any relay in a process of its own (bench/tap-profile --setup pipe): a plain Node TCP proxy
// that pipes each client socket to its own upstream socket, no framing, no recording, one write per read.
// What it costs the rounds is what the extra process and the two extra socket hops cost on this machine;
// what `mqtt-lab broker --upstream` costs beyond it is the relay's own work.
//   node bench/tap-support/pipe-proxy.mjs LISTEN_PORT UPSTREAM_HOST UPSTREAM_PORT
import { connect, createServer } from 'node:net';

const [listen, host, port] = process.argv.slice(2);
const server = createServer((client) => {
  const upstream = connect({ host, port: Number(port) });
  client.setNoDelay(true);
  upstream.setNoDelay(true);
  client.pipe(upstream);
  upstream.pipe(client);
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close);
  upstream.on('error', close);
  client.on('close', close);
  upstream.on('close', close);
});
server.listen(Number(listen), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
