import { contextBridge } from 'electron';

// A sandboxed preload cannot read package.json, so the build stamps the version in.
declare const __MQTT_LAB_VERSION__: string;

contextBridge.exposeInMainWorld('mqttLab', Object.freeze({ version: __MQTT_LAB_VERSION__ }));
