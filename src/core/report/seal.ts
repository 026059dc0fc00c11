// The report's checksum. SHA-256 over the record (the JSON the page is drawn from) shows any change made
// after MQTT Lab wrote the file. With a key (MQTT_LAB_REPORT_KEY on machines the lecturer sets up) an
// HMAC-SHA-256 is added that only holders of the key can produce. What neither can prove is written in
// the report itself (render-report.ts, "How this report was produced").
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { ReportRecord } from './report-record.js';

export interface Seal {
  algorithm: 'sha256';
  digest: string;
  /** HMAC-SHA-256 of the same bytes, when the producing lab had a key. */
  hmac?: string;
}

export const KEY_ENV = 'MQTT_LAB_REPORT_KEY';

/** The exact bytes sealed: the record as JSON, in the order it was built (and parsed back). */
export function sealedBytes(record: ReportRecord): string {
  return JSON.stringify(record);
}

export function sealOf(record: ReportRecord, key?: string): Seal {
  const bytes = sealedBytes(record);
  const seal: Seal = { algorithm: 'sha256', digest: createHash('sha256').update(bytes).digest('hex') };
  if (key !== undefined && key !== '') seal.hmac = createHmac('sha256', key).update(bytes).digest('hex');
  return seal;
}

export function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}
