// Does a broker speak MQTT 5? Ask it: a v5 CONNECT answered by a v5-shaped CONNACK (it carries a property
// length after the reason code) means yes; a 3.1.1-shaped `20 02 00 01` (unacceptable protocol level,
// [MQTT-3.1.2-2]) or a closed connection means no. A refusal for credentials is still a v5 CONNACK.
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import mqttPacket from 'mqtt-packet';

export function probeMqtt5(host: string, port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let got = Buffer.alloc(0);
    let settled = false;
    const finish = (v5: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.removeAllListeners('data');
      if (v5 && !socket.destroyed) {
        // A graceful DISCONNECT, so the broker publishes nothing and forgets the probe at once.
        socket.end(mqttPacket.generate({ cmd: 'disconnect', reasonCode: 0 }, { protocolVersion: 5 }));
        const linger = setTimeout(() => socket.destroy(), 500);
        socket.once('close', () => {
          clearTimeout(linger);
          resolve(true);
        });
        return;
      }
      socket.destroy();
      resolve(v5);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    // Errors end the probe through 'close'; the listener stays so a late one is never unhandled.
    socket.on('error', () => undefined);
    socket.once('close', () => finish(false));
    socket.once('connect', () => {
      socket.write(
        mqttPacket.generate(
          {
            cmd: 'connect',
            protocolId: 'MQTT',
            protocolVersion: 5,
            clean: true,
            keepalive: 0,
            clientId: `mqtt-lab-probe-${randomBytes(4).toString('hex')}`,
          },
          { protocolVersion: 5 },
        ),
      );
    });
    socket.on('data', (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      if (got.length < 2) return;
      // A CONNACK is short enough that its remaining length fits one byte.
      if (got[0] !== 0x20) return finish(false);
      const remaining = got[1] ?? 0;
      if (got.length < 2 + remaining) return;
      finish(remaining >= 3);
    });
  });
}
