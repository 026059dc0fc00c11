import { describe, expect, it } from 'vitest';
import { TcpReassembler, type ReassemblyEvent } from '../../src/core/pcap/index.js';

const NONE = { syn: false, fin: false, rst: false };
const SYN = { syn: true, fin: false, rst: false };
const FIN = { syn: false, fin: true, rst: false };
const RST = { syn: false, fin: false, rst: true };

function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Events as compact strings: data "frame:text", gap "gap@offset+missing@frame", end "end:cause@frame". */
function show(events: ReassemblyEvent[]): string[] {
  return events.map((e) =>
    e.kind === 'data'
      ? `${e.at.frame}:${new TextDecoder().decode(e.bytes)}`
      : e.kind === 'gap'
        ? `gap@${e.offset}+${e.missing}@${e.at.frame}`
        : `end:${e.cause}@${e.at.frame}`,
  );
}

function at(frame: number) {
  return { frame, time: frame * 10 };
}

describe('TcpReassembler', () => {
  it('starts after the SYN and delivers in-order data with its frame', () => {
    const r = new TcpReassembler();
    expect(r.segment(999, SYN, new Uint8Array(0), at(1))).toEqual([]);
    expect(r.baseSeq).toBe(1000);
    expect(show(r.segment(1000, NONE, bytes('abc'), at(3)))).toEqual(['3:abc']);
    expect(show(r.segment(1003, NONE, bytes('de'), at(4)))).toEqual(['4:de']);
    expect(r.delivered).toBe(5);
  });

  it('ignores a retransmission of delivered bytes', () => {
    const r = new TcpReassembler();
    r.segment(0, NONE, bytes('abcd'), at(1));
    expect(r.segment(0, NONE, bytes('abcd'), at(2))).toEqual([]);
    expect(r.segment(2, NONE, bytes('cd'), at(3))).toEqual([]);
  });

  it('delivers only the new part of an overlapping segment', () => {
    const r = new TcpReassembler();
    r.segment(100, NONE, bytes('abcd'), at(1));
    expect(show(r.segment(102, NONE, bytes('cdEF'), at(2)))).toEqual(['2:EF']);
  });

  it('holds early segments until the gap fills, crediting them to the frame that filled it', () => {
    const r = new TcpReassembler();
    r.segment(0, NONE, bytes('ab'), at(1));
    expect(r.segment(4, NONE, bytes('ef'), at(2))).toEqual([]);
    expect(r.segment(6, NONE, bytes('gh'), at(3))).toEqual([]);
    expect(r.bufferedBytes).toBe(4);
    expect(show(r.segment(2, NONE, bytes('cd'), at(4)))).toEqual(['4:cd', '4:ef', '4:gh']);
    expect(r.bufferedBytes).toBe(0);
  });

  it('trims overlaps and duplicates among early segments', () => {
    const r = new TcpReassembler();
    r.segment(0, NONE, bytes('a'), at(1));
    r.segment(3, NONE, bytes('defg'), at(2));
    r.segment(3, NONE, bytes('defg'), at(3)); // retransmitted while waiting
    r.segment(5, NONE, bytes('fghi'), at(4)); // overlaps the waiting one
    expect(show(r.segment(1, NONE, bytes('bcd'), at(5)))).toEqual(['5:bcd', '5:efg', '5:hi']);
  });

  it('starts from the first segment seen when the SYN was not captured', () => {
    const r = new TcpReassembler();
    expect(show(r.segment(0xfffffffe, NONE, bytes('xy'), at(7)))).toEqual(['7:xy']);
    // and follows the sequence number across its 32-bit wrap
    expect(show(r.segment(0, NONE, bytes('z'), at(8)))).toEqual(['8:z']);
    expect(r.delivered).toBe(3);
  });

  it('delivers data carried on the SYN itself (TCP Fast Open)', () => {
    const r = new TcpReassembler();
    expect(show(r.segment(41, SYN, bytes('hi'), at(1)))).toEqual(['1:hi']);
    expect(show(r.segment(44, NONE, bytes('!'), at(2)))).toEqual(['2:!']);
  });

  it('reports a gap that never fills when the capture ends, then delivers what followed it', () => {
    const r = new TcpReassembler();
    r.segment(0, NONE, bytes('ab'), at(1));
    r.segment(5, NONE, bytes('fg'), at(2));
    r.segment(10, NONE, bytes('k'), at(3));
    expect(show(r.finish())).toEqual(['gap@2+3@2', '2:fg', 'gap@7+3@3', '3:k']);
  });

  it('gives up on a gap as soon as the peer acknowledges past it', () => {
    const r = new TcpReassembler();
    r.segment(0, NONE, bytes('ab'), at(1));
    r.segment(5, NONE, bytes('fg'), at(3));
    expect(r.acknowledged(7, at(4)).map((e) => e.kind)).toEqual(['gap', 'data']);
    // a gap with nothing behind it yet: the acknowledged bytes are lost, later ones arrive normally
    expect(show(r.acknowledged(9, at(5)))).toEqual(['gap@7+2@5']);
    expect(show(r.segment(9, NONE, bytes('j'), at(6)))).toEqual(['6:j']);
  });

  it('ignores acknowledgments of what was already delivered', () => {
    const r = new TcpReassembler();
    r.segment(0, NONE, bytes('ab'), at(1));
    expect(r.acknowledged(2, at(2))).toEqual([]);
    expect(r.acknowledged(1, at(2))).toEqual([]);
  });

  it('declares a gap lost when too much data waits behind it', () => {
    const r = new TcpReassembler({ maxBufferedBytes: 4 });
    r.segment(0, NONE, bytes('a'), at(1));
    expect(r.segment(3, NONE, bytes('de'), at(2))).toEqual([]);
    expect(show(r.segment(5, NONE, bytes('fgh'), at(3)))).toEqual(['gap@1+2@3', '3:de', '3:fgh']);
  });

  it('ends at the FIN once every byte before it has arrived', () => {
    const r = new TcpReassembler();
    r.segment(0, NONE, bytes('ab'), at(1));
    expect(r.segment(4, FIN, new Uint8Array(0), at(2))).toEqual([]);
    expect(show(r.segment(2, NONE, bytes('cd'), at(3)))).toEqual(['3:cd', 'end:fin@3']);
    expect(r.ended).toBe(true);
    // the peer's ACK of the FIN does not look like missing data
    expect(r.acknowledged(5, at(4))).toEqual([]);
  });

  it('ends at an RST, reporting what can no longer arrive', () => {
    const r = new TcpReassembler();
    r.segment(0, NONE, bytes('ab'), at(1));
    r.segment(4, NONE, bytes('ef'), at(2));
    expect(show(r.segment(6, RST, new Uint8Array(0), at(3)))).toEqual(['gap@2+2@3', '3:ef', 'end:rst@3']);
  });
});
