// Saving the capture as pcapng (tshark reads it as ordinary TCP streams) and opening a pcap/pcapng into
// the same store the live views read.
import { FILE_CONN_BASE, readCaptureRecords } from '../pcap/decoded-records.js';
import type { PacketSource, RecordedPacket } from '../pcap/index.js';
import type { CaptureStore } from '../store/capture-store.js';
import { captureTls } from '../tls/capture-tls.js';
import { CaptureSaveJob } from './capture-saving.js';
import type { LabParts } from './lab-parts.js';

/**
 * The pcapng holds what travelled on the wire: packets the tap dropped, or cut off by a sever, never
 * reached the other side and are left out (their records stay in the lab's own view). So are packets held
 * or stepped and not (yet) released: still waiting, or discarded when their connection ended.
 * A TLS or WebSocket connection is saved as its wire bytes (records, frames), and the TLS session keys go
 * in a Decryption Secrets Block, so Wireshark decrypts it with no key file.
 * `brokerPort` names the broker's port in the file (default: the tap's real port); a recording made on a
 * free port can so be shared as the 1883 that Wireshark and the viewer recognise. TLS and WebSocket
 * connections keep the real port they came in on, and so does HTTP (the HTTP tap's port): Wireshark reads
 * it as HTTP with `-d tcp.port==PORT,http`, and capture.open, which reads MQTT ports only, passes it by.
 * The file is made a slice per turn of the event loop (CaptureSaveJob) and given whole as base64 (the API's
 * form); a page saving a big capture pulls it in parts instead (capture.saveStart).
 */
export async function captureSaveBase64Async(lab: LabParts, brokerPort = lab.tapAddress.port): Promise<string> {
  const parts: string[] = [];
  // Chunks are whole multiples of 3 bytes but the last, so their base64 joined is the file's.
  for await (const chunk of new CaptureSaveJob(lab, brokerPort).chunks()) parts.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length).toString('base64'));
  return parts.join('');
}

/**
 * The store's records that `keep` accepts and the outer packets, in time order (ties: store records first,
 * each list in its own order), as positions: a non-negative entry is a seq, a negative one -1 - an index
 * into `outer`. One packet object is refilled for each read. The save itself (CaptureSaveJob) orders the
 * same way a slice at a time; this one-go form is the reference its tests and bench compare against.
 */
export function storePackets(store: CaptureStore, keep: (seq: number) => boolean, outer: RecordedPacket[]): PacketSource {
  let seqs = new Float64Array(store.size);
  let n = 0;
  let sorted = true;
  for (let s = store.firstSeq ?? 1, last = store.lastSeq ?? 0; s <= last; s++) {
    if (!keep(s)) continue;
    if (n > 0 && store.timeOf(s)! < store.timeOf(seqs[n - 1]!)!) sorted = false;
    seqs[n++] = s;
  }
  seqs = seqs.subarray(0, n);
  // Records are appended as they happen, so this is nearly always already in order.
  if (!sorted) seqs.sort((a, b) => store.timeOf(a)! - store.timeOf(b)! || a - b);
  const others = outer.map((p, i) => ({ p, i })).sort((a, b) => a.p.time - b.p.time || a.i - b.i).map((x) => x.p);
  const order = new Float64Array(n + others.length);
  for (let i = 0, j = 0, k = 0; k < order.length; k++) {
    order[k] = j >= others.length || (i < n && store.timeOf(seqs[i]!)! <= others[j]!.time) ? seqs[i++]! : -1 - j++;
  }
  const packet: RecordedPacket = { time: 0, connId: 0, direction: 'toBroker', bytes: new Uint8Array(0) };
  return {
    length: order.length,
    connIdAt: (k) => {
      const e = order[k]!;
      return e >= 0 ? store.connIdOf(e)! : others[-1 - e]!.connId;
    },
    at: (k) => {
      const e = order[k]!;
      if (e < 0) return others[-1 - e]!;
      packet.time = store.timeOf(e)!;
      packet.connId = store.connIdOf(e)!;
      packet.direction = store.directionOf(e)!;
      packet.bytes = store.bytesOf(e)!;
      return packet;
    },
  };
}

/** Replaces the capture with the MQTT packets of a pcap or pcapng file; returns how many were loaded. */
export function captureOpen(lab: LabParts, bytes: Uint8Array, ports?: number[]): number {
  const st = lab.status();
  const own = [st.tap, st.tls, st.wss].filter((a) => a !== undefined).map((a) => a.port);
  const records = readCaptureRecords(bytes, ports ?? [1883, 8883, ...own], 4, { tls: captureTls() }).map((r) => ({ ...r, record: { ...r.record, connId: FILE_CONN_BASE + r.record.connId } }));
  lab.store.clear();
  for (const r of records) {
    if (r.clientId !== undefined) lab.store.setClientId(r.record.connId, r.clientId);
    lab.store.append(r.record);
  }
  return records.length;
}
