// A capture file read in the page with the core's own reader, TCP reassembly, framer and dissector: the
// same code `mqtt-lab decode --pcap` runs, so the viewer can only show what that code finds in the file.
import type { Connection, ConnectionEnd, PacketRecord } from '../../../shared/lab.js';
import { readCapture } from '../../../core/pcap/capture-reader.js';
import type { CaptureRecord } from '../../../core/pcap/capture-record.js';
import { readCaptureRecords, type LoadedRecord } from '../../../core/pcap/decoded-records.js';
import type { CaptureNote, StreamEnd } from '../../../core/pcap/mqtt-streams.js';

/** Brokers' ports, as Wireshark registers MQTT (8883 is MQTT over TLS: its bytes are shown, flagged). */
export const VIEWER_PORTS = [1883, 8883];

export interface ReadCapture {
  records: Array<Omit<PacketRecord, 'seq'>>;
  /** Frame (1-based record) holding each packet's last byte, as Wireshark numbers it. */
  frames: number[];
  connections: Connection[];
  clientIds: Map<number, string>;
  /** Frames skipped or lost, and where the file stopped making sense. */
  notes: CaptureNote[];
  /** The file stopped being readable part way; what came before is still shown. */
  error?: string;
}

export function readCaptureInPage(bytes: Uint8Array): ReadCapture {
  const notes: CaptureNote[] = [];
  const ends = new Map<number, StreamEnd>();
  let error: string | undefined;
  let lastFrame = 0;
  // A file cut short (a download interrupted, a capture still being written) keeps every packet before the cut.
  function* frames(): Generator<CaptureRecord> {
    try {
      for (const f of readCapture(bytes)) {
        lastFrame = f.frame;
        yield f;
      }
    } catch (e) {
      // Nothing read at all means it is not a capture: say so rather than show an empty one.
      if (lastFrame === 0) throw e;
      error = `${e instanceof Error ? e.message : String(e)}; showing the ${lastFrame} frames before it`;
    }
  }
  const loaded: LoadedRecord[] = readCaptureRecords(frames(), VIEWER_PORTS, 4, {
    detectConnect: true,
    onNote: (n) => notes.push(n),
    onEnd: (e) => {
      if (!ends.has(e.stream)) ends.set(e.stream, e);
    },
  });
  const clientIds = new Map<number, string>();
  const conns = new Map<number, Connection>();
  for (const l of loaded) {
    const r = l.record;
    if (l.clientId !== undefined) clientIds.set(r.connId, l.clientId);
    let c = conns.get(r.connId);
    if (c === undefined) {
      c = { connId: r.connId, remote: l.client, state: 'open', since: r.time };
      conns.set(r.connId, c);
    }
    if (r.decoded.typeCode === 1 && r.direction === 'toBroker') c.version = r.decoded.version;
    if (r.decoded.type === 'DISCONNECT' && r.direction === 'toBroker') c.ended = 'disconnect';
  }
  for (const c of conns.values()) {
    const id = clientIds.get(c.connId);
    if (id !== undefined) c.clientId = id;
    const end = ends.get(c.connId);
    if (end === undefined) {
      delete c.ended;
      continue;
    }
    c.state = 'closed';
    c.endedAt = end.time;
    c.ended ??= howEnded(end);
  }
  const out: ReadCapture = {
    records: loaded.map((l) => l.record),
    frames: loaded.map((l) => l.frame),
    connections: [...conns.values()],
    clientIds,
    notes,
  };
  if (error !== undefined) out.error = error;
  return out;
}

/** Without a DISCONNECT first, the wire says only which side closed, not why. */
function howEnded(e: StreamEnd): ConnectionEnd {
  return e.direction === 'toBroker' ? 'client-closed' : 'broker-closed';
}
