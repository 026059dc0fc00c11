// The data of a lab report: everything the HTML shows, gathered once into plain JSON. The HTML is drawn
// from this record alone (render-report.ts), and the record travels inside the HTML, so `report verify`
// can draw it again and compare: the record, not the markup, is what the checksum covers.
import type { BrokerInfo } from '../../shared/lab.js';
import type { Lesson, Question } from '../../shared/lesson.js';
import type { SavedAnswer, SavedStep } from '../../shared/progress.js';
import type { FieldNode } from '../../shared/packet.js';
import { recordOf, stepPcapng } from '../progress/index.js';

export const REPORT_FORMAT = 'mqtt-lab-report';
export const REPORT_VERSION = 1;
/** Packets shown per expectation; the rest are in the step's capture. */
export const PACKETS_PER_EXPECTATION = 4;

export interface ReportPacket {
  seq: number;
  time: number;
  direction: 'toBroker' | 'toClient';
  clientId?: string;
  summary: string;
  fault?: string;
  /** Leaf fields of the dissector's tree: Wireshark filter name and value as read. */
  fields: Array<{ filter: string; name: string; value: string }>;
  bytes: string;
  issues: string[];
}

export interface ReportChoice {
  prompt: string;
  choices: string[];
  chosen: number | null;
  /** An open question's typed answer. */
  text?: string;
  right: number | null;
  correct: boolean | null;
}

export interface ReportStep {
  index: number;
  title: string;
  text?: string;
  ran: boolean;
  passed: boolean;
  durationMs: number;
  startedAt?: number;
  prediction?: ReportChoice;
  question?: ReportChoice;
  actions: Array<{ label: string; ok: boolean; error?: string; note?: string }>;
  expectations: Array<{ label: string; passed: boolean; message: string; line: number; packets: ReportPacket[]; morePackets: number }>;
  capture?: { fileName: string; packets: number; leftOut: number; brokerPort: number; pcapngBase64: string };
}

export interface ReportRecord {
  format: typeof REPORT_FORMAT;
  version: typeof REPORT_VERSION;
  producedAt: number;
  producedBy: { app: string; appVersion: string; node: string; via: 'lesson pane' | 'lesson run'; broker: string };
  student: string | null;
  lesson: { id: string; title: string; version: string; file: string; objectives: string[]; steps: number };
  attempt: { startedAt: number | null; completedAt: number | null; passed: boolean; stepsPassed: number; expectationsPassed: number; expectations: number };
  steps: ReportStep[];
}

export interface ReportInput {
  lesson: Lesson;
  lessonVersion: string;
  student: string | null;
  startedAt: number | null;
  completedAt: number | null;
  steps: Record<number, SavedStep>;
  predictions: Record<number, SavedAnswer>;
  answers: Record<number, SavedAnswer>;
  via: 'lesson pane' | 'lesson run';
  broker: BrokerInfo;
  appVersion: string;
  now?: number;
}

export function reportRecord(input: ReportInput): ReportRecord {
  const steps = input.lesson.steps.map((s): ReportStep => {
    const saved = input.steps[s.index];
    const r = saved?.result;
    const step: ReportStep = {
      index: s.index,
      title: s.title ?? `Step ${s.index + 1}`,
      ran: r !== undefined,
      passed: r?.passed ?? false,
      durationMs: r?.durationMs ?? 0,
      actions: (r?.actions ?? []).map((a) => ({ label: a.label, ok: a.ok, ...(a.error ? { error: a.error } : {}), ...(a.note ? { note: a.note } : {}) })),
      expectations: [],
    };
    if (s.text !== undefined) step.text = s.text;
    if (s.predict !== undefined) step.prediction = choice(s.predict, input.predictions[s.index]);
    if (s.question !== undefined) step.question = choice(s.question, input.answers[s.index]);
    if (saved !== undefined && r !== undefined) {
      const bySeq = new Map(saved.packets.map((p) => [p.seq, p]));
      if (saved.packets[0] !== undefined) step.startedAt = saved.packets[0].time;
      step.expectations = r.expectations.map((e) => {
        const seqs = e.seqs.filter((q) => bySeq.has(q));
        const shown = seqs.slice(-PACKETS_PER_EXPECTATION);
        return {
          label: e.label, passed: e.passed, message: e.message, line: e.at.line,
          packets: shown.map((q) => reportPacket(bySeq.get(q)!)), morePackets: e.seqs.length - shown.length,
        };
      });
      step.capture = {
        fileName: `${input.lesson.id}-step-${s.index + 1}.pcapng`,
        packets: saved.packets.length,
        leftOut: saved.packetsLeftOut,
        brokerPort: saved.connections[0]?.broker.port ?? 1883,
        pcapngBase64: Buffer.from(stepPcapng(saved)).toString('base64'),
      };
    }
    return step;
  });
  const all = steps.flatMap((s) => s.expectations);
  return {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    producedAt: input.now ?? Date.now(),
    producedBy: { app: 'MQTT Lab', appVersion: input.appVersion, node: process.version, via: input.via, broker: `${input.broker.kind}${input.broker.mqtt5 ? ' (MQTT 5)' : ' (MQTT 3.1/3.1.1)'}` },
    student: input.student,
    lesson: { id: input.lesson.id, title: input.lesson.title, version: input.lessonVersion, file: input.lesson.file.split(/[\\/]/).pop() ?? '', objectives: input.lesson.objectives, steps: input.lesson.steps.length },
    attempt: {
      startedAt: input.startedAt,
      completedAt: input.completedAt,
      passed: steps.length > 0 && steps.every((s) => s.ran && s.passed),
      stepsPassed: steps.filter((s) => s.passed).length,
      expectationsPassed: all.filter((e) => e.passed).length,
      expectations: all.length,
    },
    steps,
  };
}

function choice(q: Question, a: SavedAnswer | undefined): ReportChoice {
  const c: ReportChoice = { prompt: q.prompt, choices: q.choices, chosen: a?.choice ?? null, right: q.answer ?? null, correct: a === undefined ? null : a.correct };
  if (a?.text !== undefined) c.text = a.text;
  return c;
}

function reportPacket(p: SavedStep['packets'][number]): ReportPacket {
  const r = recordOf(p);
  const out: ReportPacket = {
    seq: p.seq, time: p.time, direction: p.direction, summary: r.decoded.summary, bytes: p.bytes,
    fields: leaves(r.decoded.fields), issues: r.decoded.issues.map((i) => `${i.filter}: ${i.message}${i.specRef ? ` [${i.specRef}]` : ''}`),
  };
  if (p.clientId !== undefined) out.clientId = p.clientId;
  if (p.fault !== undefined) out.fault = `${p.fault.action}${p.fault.ms !== undefined ? ` ${p.fault.ms} ms` : ''}${p.fault.released ? ', released' : ''}`;
  return out;
}

function leaves(nodes: FieldNode[], out: ReportPacket['fields'] = []): ReportPacket['fields'] {
  for (const n of nodes) {
    if (n.children?.length) leaves(n.children, out);
    else if (n.value !== undefined || n.display !== undefined) out.push({ filter: n.filter, name: n.name, value: n.display ?? String(n.value) });
  }
  return out;
}
