// What `mqtt-lab --help` and `mqtt-lab COMMAND --help` print: what each command does, how it is called and
// every option it takes, one line each. README.md "Command line" tells the rest. Every flag a command's
// parser accepts has its line here, and no other (test/cli/help.test.ts holds the two together).

export interface OptionHelp {
  /** The flag's name without the dashes, as the parser's FlagSpec names it. */
  flag: string;
  /** What its value is called, for flags that take one. */
  value?: string;
  text: string;
}

export interface CommandHelp {
  summary: string;
  /** One line per way of calling it, without the leading `mqtt-lab`. */
  usage: string[];
  options: OptionHelp[];
}

/** `broker --port` and `web --broker-port`: one port under two names. */
const STUDENTS_PORT = 'the port clients connect to (default 1883; 0 picks a free port)';

/** The options every command that starts a lab (`broker`, `web`) shares. */
const LAB_OPTIONS: OptionHelp[] = [
  { flag: 'broker', value: 'aedes|mosquitto', text: 'the broker behind the tap: aedes, embedded (default), or the mosquitto on PATH (MQTT 5)' },
  { flag: 'upstream', value: 'HOST:PORT', text: 'put the tap in front of a broker that already runs, instead of starting one' },
  { flag: 'capacity', value: 'N', text: 'packets the capture keeps, oldest dropped first (default 1,000,000)' },
  { flag: 'lessons', value: 'DIR', text: 'load your own lessons from DIR beside the course, reloaded when a file changes' },
  { flag: 'data-dir', value: 'DIR', text: 'where progress is saved (default MQTT_LAB_DATA, else ~/.local/share/mqtt-lab on Linux)' },
  { flag: 'tls-port', value: 'T', text: 'also accept MQTT over TLS 1.3 on T, with the lab\'s own certificate (0 picks a free port)' },
  { flag: 'ws-port', value: 'W', text: 'also accept MQTT over WebSocket on ws://localhost:W/mqtt (0 picks a free port)' },
  { flag: 'wss-port', value: 'S', text: 'also accept MQTT over WebSocket inside TLS on S (0 picks a free port)' },
  { flag: 'tls-dir', value: 'DIR', text: 'where the lab keeps its certificate authority (with --tls-port or --wss-port)' },
  { flag: 'lan', text: 'open the broker port to the local network (an ESP32, a phone); said loudly when on' },
];

export const HELP: Record<string, CommandHelp> = {
  decode: {
    summary: 'decode one MQTT packet from hex, or every MQTT packet of a pcap or pcapng file',
    usage: ['decode --hex HEX [--mqtt-version 3|4|5] [--json]', 'decode --pcap FILE [--port P]… [--json]'],
    options: [
      { flag: 'hex', value: 'HEX', text: 'the packet\'s bytes in hex; prints its field tree with filter names and byte ranges' },
      { flag: 'mqtt-version', value: '3|4|5', text: 'the connection\'s protocol version: 3 = 3.1, 4 = 3.1.1 (default), 5 = 5.0' },
      { flag: 'pcap', value: 'FILE', text: 'every MQTT packet of a capture, one line each (TCP streams reassembled)' },
      { flag: 'port', value: 'P', text: 'a broker port in the capture (repeatable; default 1883 and 8883)' },
      { flag: 'json', text: 'print JSON: {type, length, fields, errors} per packet' },
    ],
  },
  broker: {
    summary: 'a headless broker behind the tap that prints every packet, both directions, as it happens',
    usage: ['broker [--port B] [--broker aedes|mosquitto | --upstream HOST:PORT] [--pcap OUT.pcapng] [--lan]'],
    options: [
      { flag: 'port', value: 'B', text: STUDENTS_PORT },
      { flag: 'pcap', value: 'OUT.pcapng', text: 'record what goes on the wire; Ctrl-C stops and flushes the file' },
      ...LAB_OPTIONS,
    ],
  },
  web: {
    summary: 'the notebook in your browser: the broker behind the tap and the app on 127.0.0.1',
    usage: ['web [--port P] [--broker-port B] [--broker aedes|mosquitto | --upstream HOST:PORT] [--lessons DIR] [--open]'],
    options: [
      { flag: 'port', value: 'P', text: 'the notebook\'s port on 127.0.0.1 (default: a free one; the URL is printed)' },
      { flag: 'broker-port', value: 'B', text: STUDENTS_PORT },
      { flag: 'open', text: 'open the notebook in the default browser' },
      ...LAB_OPTIONS,
    ],
  },
  lesson: {
    summary: 'check lessons for mistakes, or run one headless against a fresh lab',
    usage: ['lesson check FILE|FOLDER…', 'lesson run FILE [--json] [--broker aedes|mosquitto] [--report OUT.html [--student NAME]]'],
    options: [
      { flag: 'json', text: 'run: print the result as JSON' },
      { flag: 'broker', value: 'aedes|mosquitto', text: 'run: the broker to run it on (default: what the lesson asks for)' },
      { flag: 'report', value: 'OUT.html', text: 'run: also write its lab report' },
      { flag: 'student', value: 'NAME', text: 'run: the name on the report' },
    ],
  },
  compare: {
    summary: 'the same sensor readings over MQTT (QoS 0 and 1) and over HTTP polling, measured from the captured bytes',
    usage: ['compare [--json] [--readings N] [--interval MS] [--poll MS] [--no-drop]'],
    options: [
      { flag: 'readings', value: 'N', text: 'readings to send (default 20, at most 1000)' },
      { flag: 'interval', value: 'MS', text: 'time between readings (default 500)' },
      { flag: 'poll', value: 'MS', text: 'how often the HTTP receiver polls (default 1000)' },
      { flag: 'no-drop', text: 'leave out the run where the tap drops one message of each protocol' },
      { flag: 'json', text: 'print the figures as JSON' },
    ],
  },
  report: {
    summary: 'check that a lab report is as MQTT Lab wrote it (exit 0), or say that it was changed (exit 1)',
    usage: ['report verify FILE [--key KEY]'],
    options: [{ flag: 'key', value: 'KEY', text: 'the HMAC key it was sealed with (default MQTT_LAB_REPORT_KEY)' }],
  },
};

/** What `mqtt-lab COMMAND --help` prints. */
export function commandHelp(name: string): string[] {
  const h = HELP[name]!;
  const left = (o: OptionHelp): string => `--${o.flag}${o.value === undefined ? '' : ` ${o.value}`}`;
  const width = Math.max(...h.options.map((o) => left(o).length));
  return [
    `mqtt-lab ${name}: ${h.summary}`,
    ...h.usage.map((u, i) => `${i === 0 ? 'usage:' : '      '} mqtt-lab ${u}`),
    'options:',
    ...h.options.map((o) => `  ${left(o).padEnd(width)}  ${o.text}`),
  ];
}

/** What `mqtt-lab --help` prints. */
export function overviewHelp(): string[] {
  const names = Object.keys(HELP);
  const width = Math.max(...names.map((n) => n.length));
  return [
    'usage: mqtt-lab COMMAND [options]',
    'commands:',
    ...names.map((n) => `  ${n.padEnd(width)}  ${HELP[n]!.summary}`),
    '`mqtt-lab COMMAND --help` lists its options, `mqtt-lab --version` prints the version; README.md says more.',
  ];
}
