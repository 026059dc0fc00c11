// Our plain, JSON-able client options and message shapes ↔ what mqtt.js and mqtt-packet take and give.
import type { IClientOptions, IClientPublishOptions, IStore } from 'mqtt';
import type { IConnectPacket, IPublishPacket } from 'mqtt-packet';
import type { ClientOptions, MessageProperties, QoS, Transport } from '../../shared/lab.js';
import type { MqttVersion } from '../../shared/packet.js';

export interface NormalizedOptions {
  clientId: string;
  protocolVersion: MqttVersion;
  clean: boolean;
  keepalive: number;
  connectTimeoutMs: number;
  raw: ClientOptions;
}

/** Defaults applied and version-dependent options checked, so a mistake fails at create() with a reason. */
export function normalizeOptions(id: string, opts: ClientOptions): NormalizedOptions {
  const protocolVersion = opts.protocolVersion ?? 4;
  if (![3, 4, 5].includes(protocolVersion)) throw new Error(`protocolVersion must be 3 (MQTT 3.1), 4 (3.1.1) or 5, not ${String(protocolVersion)}`);
  if (protocolVersion !== 5) {
    const v5only = [
      opts.sessionExpiryInterval !== undefined && 'sessionExpiryInterval',
      opts.properties !== undefined && 'properties',
      opts.will?.properties !== undefined && 'will.properties',
    ].filter((x): x is string => typeof x === 'string');
    if (v5only.length > 0) {
      throw new Error(`${v5only.join(', ')}: MQTT 5 only, but client '${id}' uses MQTT ${protocolVersion === 3 ? '3.1' : '3.1.1'}`);
    }
  }
  const keepalive = opts.keepalive ?? 60;
  if (!Number.isInteger(keepalive) || keepalive < 0 || keepalive > 65535) throw new Error(`keepalive must be 0-65535 seconds, not ${keepalive}`);
  if (opts.will !== undefined && opts.will.qos !== undefined && ![0, 1, 2].includes(opts.will.qos)) throw new Error('will.qos must be 0, 1 or 2');
  if (opts.transport !== undefined && !['tcp', 'tls', 'ws', 'wss'].includes(opts.transport)) throw new Error(`transport must be tcp, tls, ws or wss, not ${String(opts.transport)}`);
  return {
    clientId: opts.clientId ?? id,
    protocolVersion,
    clean: opts.clean ?? true,
    keepalive,
    connectTimeoutMs: opts.connectTimeoutMs ?? 5000,
    raw: opts,
  };
}

export interface Target {
  host: string;
  port: number;
  /** mqtt.js protocol: mqtt (default), mqtts, ws or wss. */
  protocol?: 'mqtt' | 'mqtts' | 'ws' | 'wss';
  /** The CA certificate to trust for mqtts and wss. */
  ca?: Uint8Array;
}

/** Where a client of a given transport connects; the lab answers it (and may open the port first). */
export type TargetFor = (transport: Transport) => Promise<Target>;

export function toMqttOptions(o: NormalizedOptions, target: Target, stores: { incoming: IStore; outgoing: IStore }): IClientOptions {
  const raw = o.raw;
  const v5 = o.protocolVersion === 5;
  const properties: IConnectPacket['properties'] = v5 ? { ...toConnectProperties(raw) } : undefined;
  return {
    host: target.host,
    port: target.port,
    protocol: target.protocol ?? 'mqtt',
    // MQTT over WebSocket is served on /mqtt (the tap's ws port answers nothing else).
    ...(target.protocol === 'ws' || target.protocol === 'wss' ? { path: '/mqtt' } : {}),
    ...(target.ca !== undefined ? { ca: Buffer.from(target.ca), rejectUnauthorized: true } : {}),
    clientId: o.clientId,
    protocolVersion: o.protocolVersion,
    // MQTT 3.1 names its protocol MQIsdp [MQTT 3.1 §3.1].
    protocolId: o.protocolVersion === 3 ? 'MQIsdp' : 'MQTT',
    clean: o.clean,
    keepalive: o.keepalive,
    username: raw.username,
    password: raw.password === undefined ? undefined : toBuffer(raw.password),
    will: raw.will === undefined ? undefined : {
      topic: raw.will.topic,
      payload: toBuffer(raw.will.payload),
      qos: raw.will.qos ?? 0,
      retain: raw.will.retain ?? false,
      properties: v5 && raw.will.properties !== undefined ? {
        ...toMessageProperties(raw.will.properties),
        willDelayInterval: raw.will.properties.willDelayInterval,
      } : undefined,
    },
    properties: properties !== undefined && Object.keys(properties).length > 0 ? properties : undefined,
    // Reconnects are explicit so a lesson decides when they happen; and so is every SUBSCRIBE on the wire.
    reconnectPeriod: 0,
    resubscribe: false,
    connectTimeout: o.connectTimeoutMs,
    // Nothing is buffered while offline: the manager refuses to publish then, so what a student sees is sent.
    queueQoSZero: false,
    autoUseTopicAlias: false,
    autoAssignTopicAlias: false,
    incomingStore: stores.incoming,
    outgoingStore: stores.outgoing,
    manualConnect: true,
  };
}

function toConnectProperties(raw: ClientOptions): NonNullable<IConnectPacket['properties']> {
  const p = raw.properties ?? {};
  return dropUndefined({
    sessionExpiryInterval: raw.sessionExpiryInterval,
    receiveMaximum: p.receiveMaximum,
    maximumPacketSize: p.maximumPacketSize,
    topicAliasMaximum: p.topicAliasMaximum,
    requestResponseInformation: p.requestResponseInformation,
    requestProblemInformation: p.requestProblemInformation,
    userProperties: p.userProperties,
    authenticationMethod: p.authenticationMethod,
    authenticationData: p.authenticationData === undefined ? undefined : toBuffer(p.authenticationData),
  });
}

export function toMessageProperties(p: MessageProperties): NonNullable<IPublishPacket['properties']> {
  return dropUndefined({
    payloadFormatIndicator: p.payloadFormatIndicator,
    messageExpiryInterval: p.messageExpiryInterval,
    contentType: p.contentType,
    responseTopic: p.responseTopic,
    correlationData: p.correlationData === undefined ? undefined : toBuffer(p.correlationData),
    userProperties: p.userProperties,
    topicAlias: p.topicAlias,
  });
}

export function toPublishOptions(qos: QoS, retain: boolean, properties: MessageProperties | undefined, version: MqttVersion): IClientPublishOptions {
  if (properties !== undefined && version !== 5) throw new Error('publish properties are MQTT 5 only');
  return { qos, retain, properties: properties === undefined ? undefined : toMessageProperties(properties) };
}

/** Received PUBLISH properties as plain data (Buffers are Uint8Arrays already; no copy). */
export function fromPublishProperties(p: IPublishPacket['properties']): MessageProperties | undefined {
  if (p === undefined) return undefined;
  const out: MessageProperties = dropUndefined({
    payloadFormatIndicator: p.payloadFormatIndicator,
    messageExpiryInterval: p.messageExpiryInterval,
    contentType: p.contentType,
    responseTopic: p.responseTopic,
    correlationData: p.correlationData,
    userProperties: p.userProperties,
    topicAlias: p.topicAlias,
    subscriptionIdentifier: p.subscriptionIdentifier,
  });
  return Object.keys(out).length === 0 ? undefined : out;
}

export function toBuffer(data: string | Uint8Array): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k];
  return o;
}
