// `mqtt-lab report verify`: is this the file MQTT Lab wrote? The record inside must match its checksum,
// the page must be exactly the one drawn from that record (so no visible text was edited), each shown
// packet must be in its step's attached capture, and with a key the HMAC must match.
import { createHmac } from 'node:crypto';
import { readCaptureRecords } from '../pcap/decoded-records.js';
import { RECORD_ID, renderReport, SEAL_ID } from './render-report.js';
import { REPORT_FORMAT, REPORT_VERSION, type ReportRecord } from './report-record.js';
import { sameHex, sealedBytes, sealOf, type Seal } from './seal.js';

export interface Verdict {
  /** 'ok': untouched; 'tampered': changed after it was written; 'unreadable': not an MQTT Lab report. */
  status: 'ok' | 'tampered' | 'unreadable';
  problems: string[];
  notes: string[];
  record?: ReportRecord;
}

function block(html: string, id: string): string | undefined {
  const m = new RegExp(`<script type="application/json" id="${id}">([^<]*)</script>`).exec(html);
  return m?.[1];
}

export function verifyReport(html: string, key?: string): Verdict {
  const recordText = block(html, RECORD_ID);
  const sealText = block(html, SEAL_ID);
  if (recordText === undefined || sealText === undefined) {
    return { status: 'unreadable', problems: ['this is not an MQTT Lab report: its data and checksum blocks are missing'], notes: [] };
  }
  let record: ReportRecord;
  let seal: Seal;
  try {
    record = JSON.parse(recordText) as ReportRecord;
    seal = JSON.parse(sealText) as Seal;
  } catch (e) {
    return { status: 'tampered', problems: [`the report's data is not valid JSON any more (${(e as Error).message})`], notes: [] };
  }
  if (record?.format !== REPORT_FORMAT || record.version !== REPORT_VERSION || typeof seal?.digest !== 'string') {
    return { status: 'unreadable', problems: [`this report is of a format this MQTT Lab does not read (${String(record?.format)} ${String(record?.version)})`], notes: [] };
  }
  const problems: string[] = [];
  const notes: string[] = [];
  const again = sealOf(record);
  if (!sameHex(again.digest, seal.digest)) problems.push('the results do not match the checksum: the data was changed after the report was written');
  if (renderReport(record, seal) !== html) problems.push('the page is not the one drawn from its data: its visible text or markup was edited');
  try {
    problems.push(...captureProblems(record));
  } catch (e) {
    problems.push(`an attached capture cannot be read: ${(e as Error).message}`);
  }
  if (seal.hmac !== undefined) {
    if (key === undefined || key === '') notes.push('the report carries a keyed signature (HMAC); give --key (or MQTT_LAB_REPORT_KEY) to check it');
    else if (!sameHex(createHmac('sha256', key).update(sealedBytes(record)).digest('hex'), seal.hmac)) problems.push('the keyed signature (HMAC) does not match this key: the report was changed, or made with another key');
    else notes.push('the keyed signature (HMAC) matches the key');
  } else if (key !== undefined && key !== '') {
    problems.push('a key was given, but the report carries no keyed signature: it was not made with a key');
  }
  return { status: problems.length === 0 ? 'ok' : 'tampered', problems, notes, record };
}

/** Each packet the report shows for a step must be one its attached capture holds (unless the tap dropped it). */
function captureProblems(r: ReportRecord): string[] {
  const out: string[] = [];
  for (const s of r.steps) {
    if (s.capture === undefined) continue;
    const bytes = Uint8Array.from(Buffer.from(s.capture.pcapngBase64, 'base64'));
    const inCapture = new Set(readCaptureRecords(bytes, [s.capture.brokerPort]).map((x) => Buffer.from(x.record.bytes).toString('hex')));
    for (const e of s.expectations) {
      for (const p of e.packets) {
        const onWire = p.fault === undefined || !/^(drop|sever|hold(?!.*released)|step(?!.*released))/.test(p.fault);
        if (onWire && !inCapture.has(p.bytes)) out.push(`step ${s.index + 1}: packet #${p.seq} (${p.summary}) is not in the step's attached capture`);
      }
    }
  }
  return out;
}
