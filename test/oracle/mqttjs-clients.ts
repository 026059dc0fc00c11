// mqtt.js (the client the app itself embeds) as a peer: an MQTT 5 session with user properties and
// subscription options, and a 3.1.1 client with a will.
import mqtt from 'mqtt';

const url = (port: number): string => `mqtt://127.0.0.1:${port}`;

export async function mqttjsV5(port: number): Promise<void> {
  const c = await mqtt.connectAsync(url(port), {
    protocolVersion: 5,
    clientId: 'mqttjs-v5',
    keepalive: 20,
    reconnectPeriod: 0,
    properties: {
      sessionExpiryInterval: 15,
      receiveMaximum: 32,
      maximumPacketSize: 100_000,
      topicAliasMaximum: 2,
      requestResponseInformation: true,
      requestProblemInformation: true,
      userProperties: { app: 'mqtt-lab', tag: ['a', 'b'] },
    },
  });
  try {
    await c.subscribeAsync(
      {
        'lab/js/#': { qos: 2, nl: true, rap: true, rh: 2 },
        'lab/js/one': { qos: 0, rh: 1 },
      },
      { properties: { subscriptionIdentifier: 300, userProperties: { sub: 'x' } } },
    );
    await c.publishAsync('lab/js/hello', 'hello from mqtt.js', {
      qos: 1,
      properties: {
        payloadFormatIndicator: true,
        messageExpiryInterval: 30,
        contentType: 'text/plain',
        responseTopic: 'lab/js/reply',
        correlationData: Buffer.from([1, 2, 3]),
        userProperties: { unit: 'C', k: ['v1', 'v2'] },
      },
    });
    await c.publishAsync('lab/js/bin', Buffer.from([0, 1, 2, 0xff]), { qos: 2, retain: true });
    await c.publishAsync('lab/js/bin', '', { qos: 0, retain: true });
    await c.unsubscribeAsync(['lab/js/#', 'lab/js/one'], { properties: { userProperties: { why: 'done' } } });
  } finally {
    await c.endAsync(false, { reasonCode: 0, properties: { reasonString: 'lesson over', userProperties: { n: '1' } } });
  }
}

export async function mqttjsV4Will(port: number, login: { username: string; password: string }): Promise<void> {
  const c = await mqtt.connectAsync(url(port), {
    protocolVersion: 4,
    clientId: 'mqttjs-v4-will',
    clean: false,
    keepalive: 10,
    reconnectPeriod: 0,
    ...login,
    will: { topic: 'lab/js/status', payload: Buffer.from('offline'), qos: 1, retain: true },
  });
  try {
    await c.subscribeAsync({ 'lab/js/cmd': { qos: 1 }, 'lab/js/cfg': { qos: 2 } });
    await c.publishAsync('lab/js/status', 'online', { qos: 1, retain: true });
    await c.unsubscribeAsync('lab/js/cmd');
  } finally {
    await c.endAsync();
  }
}

/** An MQTT 5 client that only keeps its connection alive for `stayMs`: PINGREQ/PINGRESP every `keepalive` s. */
export async function mqttjsPinger(port: number, keepalive: number, stayMs: number): Promise<void> {
  const c = await mqtt.connectAsync(url(port), { protocolVersion: 5, clientId: 'mqttjs-pinger', keepalive, reconnectPeriod: 0 });
  await new Promise((r) => setTimeout(r, stayMs));
  await c.endAsync();
}
