// One captured frame as the readers hand it on, whatever the file format.

export interface CaptureTimestamp {
  /** Whole seconds since the Unix epoch. */
  seconds: number;
  /** Nanoseconds within that second, 0 to 999,999,999. */
  nanos: number;
}

export interface CaptureRecord {
  /** 1-based packet number, as Wireshark's frame.number. */
  frame: number;
  /** Epoch milliseconds, fractional. */
  time: number;
  /** The same instant as an exact pair; `time` loses precision below about a microsecond. */
  timestamp: CaptureTimestamp;
  /** LINKTYPE_* value of the interface the frame was captured on. */
  linkType: number;
  /** pcapng interface index (0 for classic pcap). */
  interfaceId: number;
  /** The captured bytes, possibly fewer than were on the wire (snap length). */
  data: Uint8Array;
  originalLength: number;
  /** Byte offset of the record in the file, for error messages. */
  fileOffset: number;
}

export function timestampToMs(ts: CaptureTimestamp): number {
  return ts.seconds * 1000 + ts.nanos / 1e6;
}
