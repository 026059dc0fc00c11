// Commands a student can paste to put their own code on the wire through the tap.

export interface Snippet {
  label: string;
  code: string;
}

export function connectSnippets(host: string, port: number): Snippet[] {
  return [
    { label: 'Subscribe to everything (mosquitto_sub)', code: `mosquitto_sub -h ${host} -p ${port} -t '#' -v` },
    { label: 'Publish a reading (mosquitto_pub)', code: `mosquitto_pub -h ${host} -p ${port} -t home/temp -q 1 -m '{"temperature": 21.5}'` },
    {
      label: 'Python (paho-mqtt)',
      code: [
        'import paho.mqtt.client as mqtt',
        '',
        '# paho-mqtt 2.x; with 1.x write mqtt.Client()',
        'client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)',
        `client.connect("${host}", ${port}, keepalive=60)`,
        'client.publish("home/temp", \'{"temperature": 21.5}\', qos=1)',
        'client.loop_forever()',
      ].join('\n'),
    },
    {
      label: 'Node.js (MQTT.js)',
      code: [
        "const mqtt = require('mqtt');",
        `const client = mqtt.connect('mqtt://${host}:${port}');`,
        "client.on('connect', () => client.publish('home/temp', '21.5', { qos: 1 }));",
      ].join('\n'),
    },
  ];
}
