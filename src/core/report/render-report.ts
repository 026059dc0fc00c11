// The lab report as one HTML file: no scripts, no outside assets, readable offline and on paper. Drawn
// from the record alone, deterministically, so `report verify` can draw it again and compare byte for
// byte. Everything that came from outside (names, topics, payloads, client ids, lesson text) is escaped.
import type { ReportChoice, ReportPacket, ReportRecord, ReportStep } from './report-record.js';
import type { Seal } from './seal.js';
import { KEY_ENV } from './seal.js';

export const RECORD_ID = 'mqtt-lab-record';
export const SEAL_ID = 'mqtt-lab-seal';

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** JSON inside a <script> data block: nothing in it may close the block or start markup. */
export function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** The lesson's own light Markdown, after escaping: `code`, **bold** and *emphasis*; nothing else becomes markup. */
function prose(text: string): string {
  return esc(text).split(/\n{2,}/).map((p) => `<p>${p
    .replace(/`([^`\n]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*\n]+)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[\s(])\*([^*\s][^*\n]*)\*/g, '$1<em>$2</em>')}</p>`).join('');
}

const time = (t: number | null | undefined): string => (t === null || t === undefined ? '—' : new Date(t).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC'));
const mark = (ok: boolean): string => (ok ? '<span class="ok">✓ passed</span>' : '<span class="bad">✗ failed</span>');

function hexLines(hex: string): string {
  const lines: string[] = [];
  for (let i = 0; i < hex.length; i += 32) {
    const chunk = hex.slice(i, i + 32).replace(/(..)(?!$)/g, '$1 ');
    lines.push(`${(i / 2).toString(16).padStart(4, '0')}  ${chunk}`);
  }
  return lines.join('\n');
}

function packet(p: ReportPacket): string {
  const who = p.clientId === undefined ? '' : ` ${p.direction === 'toBroker' ? 'from' : 'to'} <code>${esc(p.clientId)}</code>`;
  const rows = p.fields.map((f) => `<tr><td><code>${esc(f.filter)}</code></td><td>${esc(f.name)}</td><td>${esc(f.value)}</td></tr>`).join('');
  return `<div class="packet"><p class="ps">#${p.seq} · ${esc(time(p.time))}${who}: <code>${esc(p.summary)}</code>${p.fault ? ` <span class="fault">tap: ${esc(p.fault)}</span>` : ''}</p>`
    + (p.issues.length ? `<ul class="issues">${p.issues.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>` : '')
    + `<table class="fields"><thead><tr><th>Field (Wireshark filter)</th><th>Name</th><th>Value</th></tr></thead><tbody>${rows}</tbody></table>`
    + `<pre class="hex" aria-label="bytes">${esc(hexLines(p.bytes))}</pre></div>`;
}

function choiceBlock(kind: string, c: ReportChoice): string {
  const items = c.choices.map((text, i) => {
    const cls = [i === c.chosen ? 'chosen' : '', i === c.right ? 'right' : ''].filter(Boolean).join(' ');
    const tags = `${i === c.chosen ? ' ← chosen' : ''}${i === c.right ? ' (the right answer)' : ''}`;
    return `<li${cls ? ` class="${cls}"` : ''}>${esc(text)}${tags}</li>`;
  }).join('');
  const typed = c.text === undefined ? '' : `<p>Answer typed: <code>${esc(c.text)}</code></p>`;
  const verdict = c.chosen === null && c.text === undefined ? '<p class="dim">Not answered.</p>'
    : c.correct === null ? '<p class="dim">An open question: no answer is wrong.</p>'
    : `<p>${c.correct ? '<span class="ok">✓ right</span>' : '<span class="bad">✗ not right</span>'}</p>`;
  return `<div class="choice"><p><strong>${kind}:</strong> ${esc(c.prompt)}</p>${items ? `<ol>${items}</ol>` : ''}${typed}${verdict}</div>`;
}

function step(s: ReportStep): string {
  const head = `<h3>Step ${s.index + 1}: ${esc(s.title)} — ${s.ran ? mark(s.passed) : '<span class="dim">not run</span>'}</h3>`;
  const text = s.text === undefined ? '' : `<div class="text">${prose(s.text)}</div>`;
  const meta = s.ran ? `<p class="dim">Ran at ${esc(time(s.startedAt))}, took ${(s.durationMs / 1000).toFixed(1)} s.</p>` : '';
  const pred = s.prediction ? choiceBlock('Prediction, made before the step ran', s.prediction) : '';
  const acts = s.actions.length ? `<h4>What the step did</h4><ul class="actions">${s.actions.map((a) => `<li>${a.ok ? '' : '<span class="bad">✗</span> '}${esc(a.label)}${a.error ? `: <strong>${esc(a.error)}</strong>` : ''}${a.note ? ` <span class="dim">(${esc(a.note)})</span>` : ''}</li>`).join('')}</ul>` : '';
  const exps = s.expectations.length ? `<h4>What was checked</h4><ol class="exps">${s.expectations.map((e) => `<li class="${e.passed ? 'pass' : 'fail'}"><p>${mark(e.passed)} ${esc(e.label)} <span class="dim">(lesson line ${e.line})</span></p><p class="msg">${esc(e.message)}</p>${e.packets.map(packet).join('')}${e.morePackets > 0 ? `<p class="dim">…and ${e.morePackets} more packet${e.morePackets === 1 ? '' : 's'}, in the step's capture.</p>` : ''}</li>`).join('')}</ol>` : '';
  const q = s.question ? choiceBlock('Question', s.question) : '';
  const cap = s.capture ? `<p class="capture"><a download="${esc(s.capture.fileName)}" href="data:application/vnd.tcpdump.pcap;base64,${s.capture.pcapngBase64}">Download the capture of step ${s.index + 1}</a> (${esc(s.capture.fileName)}, ${s.capture.packets} packet${s.capture.packets === 1 ? '' : 's'}${s.capture.leftOut ? `; ${s.capture.leftOut} more were captured but not kept` : ''}; open it in Wireshark)</p>` : '';
  return `<section class="step ${s.ran ? (s.passed ? 'passed' : 'failed') : 'notrun'}" data-step="${s.index}">${head}${meta}${text}${pred}${acts}${exps}${q}${cap}</section>`;
}

const STYLE = `
body{font:16px/1.45 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1.5rem;color:#111;background:#fff}
h1{font-size:1.8rem;margin:0 0 .3rem}h2{font-size:1.3rem;margin-top:2rem;border-bottom:2px solid #333}
h3{font-size:1.15rem;margin:.2rem 0 .4rem}h4{margin:.8rem 0 .2rem;font-size:1rem}
code,pre{font-family:ui-monospace,Consolas,monospace;font-size:.88rem}
.ok{color:#0a6b2d;font-weight:700}.bad{color:#b00020;font-weight:700}.dim{color:#555}
.summary td,.summary th{text-align:left;padding:.15rem .8rem .15rem 0;vertical-align:top}
.step{border:1px solid #bbb;border-left:.45rem solid #888;border-radius:4px;padding:.6rem .9rem;margin:1rem 0}
.step.passed{border-left-color:#0a6b2d}.step.failed{border-left-color:#b00020}
.choice ol{margin:.2rem 0}.choice li.chosen{font-weight:700}.choice li.right{text-decoration:underline}
.exps>li{margin:.4rem 0}.msg{margin:.1rem 0 .3rem;color:#333}
.packet{border:1px solid #ddd;border-radius:4px;padding:.3rem .5rem;margin:.3rem 0;background:#fafafa}
.ps{margin:.1rem 0;word-break:break-all}.fault{color:#8a4b00;font-weight:700}
.fields{border-collapse:collapse;font-size:.85rem;margin:.2rem 0}.fields td,.fields th{border:1px solid #ddd;padding:.05rem .4rem;text-align:left;vertical-align:top;word-break:break-all}
.hex{background:#f0f0f0;padding:.3rem;margin:.2rem 0;white-space:pre-wrap}
.seal code{word-break:break-all}
@media print{body{max-width:none;padding:0;font-size:11pt}.step,.packet{break-inside:avoid-page}h2{break-after:avoid}
a[download]{color:#111;text-decoration:none}a[download]::after{content:" (attached inside this HTML file)"}.packet{background:none}}
`;

export function renderReport(r: ReportRecord, seal: Seal): string {
  const a = r.attempt;
  const summary = `<table class="summary"><tbody>
<tr><th>Student</th><td class="student">${r.student === null || r.student === '' ? '<span class="dim">no name entered</span>' : esc(r.student)}</td></tr>
<tr><th>Lesson</th><td>${esc(r.lesson.title)} <span class="dim">(${esc(r.lesson.file)}, version ${esc(r.lesson.version)})</span></td></tr>
<tr><th>Result</th><td>${a.passed ? '<span class="ok">✓ every step passed</span>' : `<span class="bad">${a.stepsPassed} of ${r.lesson.steps} steps passed</span>`}; ${a.expectationsPassed} of ${a.expectations} checks passed</td></tr>
<tr><th>Started</th><td>${esc(time(a.startedAt))}</td></tr>
<tr><th>Completed</th><td>${a.completedAt === null ? '<span class="dim">not completed</span>' : esc(time(a.completedAt))}</td></tr>
<tr><th>Report produced</th><td>${esc(time(r.producedAt))} by ${esc(r.producedBy.app)} ${esc(r.producedBy.appVersion)} (${esc(r.producedBy.via)})</td></tr>
</tbody></table>`;
  const objectives = r.lesson.objectives.length ? `<h2>Objectives</h2><ul>${r.lesson.objectives.map((o) => `<li>${esc(o)}</li>`).join('')}</ul>` : '';
  const how = `<h2>How this report was produced</h2>
<p>${esc(r.producedBy.app)} ${esc(r.producedBy.appVersion)} (Node ${esc(r.producedBy.node)}) ran the lesson from the ${esc(r.producedBy.via)} against a real ${esc(r.producedBy.broker)} broker. Every packet shown passed through the lab's tap, a TCP proxy in front of the broker, and was decoded by the lab's dissector; field names are Wireshark's display-filter names. Each step's capture is attached as a pcapng file that Wireshark or tshark opens (the TCP framing in it is reconstructed by the lab; the MQTT bytes are those that went on the wire).</p>
<p class="seal">Checksum: SHA-256 of the report's data <code>${esc(seal.digest)}</code>${seal.hmac ? `; HMAC-SHA-256 with the lab's report key <code>${esc(seal.hmac)}</code>` : ''}. <code>mqtt-lab report verify FILE</code> recomputes it and redraws this page from its data: any edit to the results, the text or the attachments is reported as tampering.</p>
<p>What the checksum cannot show: MQTT Lab runs on the student's own computer and its source is public, so a determined person could run a changed copy and write a report whose checksum matches. The checksum shows that the file was not edited after it was written, not who wrote it. ${seal.hmac ? 'This report also carries an HMAC made with a key; it proves more only if the key was kept from students (for example, set in ' + KEY_ENV + ' on lab machines the lecturer controls), and is checked with <code>mqtt-lab report verify FILE --key KEY</code>.' : `This report carries no keyed signature (none was set in ${KEY_ENV} where it was produced).`} Exercises the lecturer checks on their own broker (the class view) do not depend on this file at all.</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${esc(r.producedBy.app)} ${esc(r.producedBy.appVersion)}">
<title>Lab report: ${esc(r.lesson.title)}${r.student ? ` — ${esc(r.student)}` : ''}</title>
<style>${STYLE}</style></head><body>
<h1>Lab report: ${esc(r.lesson.title)}</h1>
${summary}
${objectives}
<h2>Steps</h2>
${r.steps.map(step).join('\n')}
${how}
<script type="application/json" id="${RECORD_ID}">${scriptJson(r)}</script>
<script type="application/json" id="${SEAL_ID}">${scriptJson(seal)}</script>
</body></html>
`;
}
