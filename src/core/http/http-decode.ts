// One HTTP/1.x message (request or response, as framed from the wire) as a field tree with byte ranges and
// Wireshark's `http.*` filter names, in the same DecodedPacket shape as an MQTT packet, so the packet list,
// the detail view and the capture file show both protocols alike. Never throws; what does not parse is
// flagged on the node where it breaks.
import type { DecodedPacket, FieldIssue, FieldNode } from '../../shared/packet.js';
import { headEnd } from './http-framer.js';

/** Headers Wireshark gives a filter of their own; any other header is a plain header line. */
const HEADER_FILTERS: Record<string, string> = {
  host: 'http.host',
  'content-type': 'http.content_type',
  'content-length': 'http.content_length_header',
  connection: 'http.connection',
  'user-agent': 'http.user_agent',
  accept: 'http.accept',
  date: 'http.date',
  'transfer-encoding': 'http.transfer_encoding',
  'cache-control': 'http.cache_control',
  server: 'http.server',
};

/** Every filter name the HTTP decode gives a node, for `lesson check` and the filter box. */
export const HTTP_FILTER_NAMES: readonly string[] = [
  'http.request', 'http.response', 'http.request.method', 'http.request.uri', 'http.request.version',
  'http.response.version', 'http.response.code', 'http.response.phrase', 'http.headers', 'http.request.line',
  'http.response.line', 'http.file_data', ...Object.values(HEADER_FILTERS),
];

const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) (HTTP\/\d(?:\.\d)?)$/;
const STATUS_LINE = /^(HTTP\/\d(?:\.\d)?) (\d{3})(?: (.*))?$/;

export function isHttpStart(bytes: Uint8Array): boolean {
  const line = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 200)).toString('latin1').split('\r\n', 1)[0]!;
  return REQUEST_LINE.test(line) || STATUS_LINE.test(line);
}

export function decodeHttp(bytes: Uint8Array, problem?: string): DecodedPacket {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  const head = headEnd(bytes);
  const headLen = head < 0 ? bytes.length : head;
  const lines = text.slice(0, head < 0 ? headLen : head - 4).split('\r\n');
  const fields: FieldNode[] = [];
  const issues: DecodedPacket['issues'] = [];
  const flag = (n: FieldNode, issue: FieldIssue): void => {
    (n.issues ??= []).push(issue);
    issues.push({ ...issue, filter: n.filter, offset: n.offset });
  };

  const first = lines[0] ?? '';
  const req = REQUEST_LINE.exec(first);
  const res = req === null ? STATUS_LINE.exec(first) : null;
  const isRequest = req !== null || res === null;
  const lineName = isRequest ? 'http.request.line' : 'http.response.line';
  const start: FieldNode = { name: isRequest ? 'Request line' : 'Status line', filter: isRequest ? 'http.request' : 'http.response', offset: 0, length: first.length + 2, value: first };
  if (req !== null) {
    const [, method, uri, version] = req as unknown as [string, string, string, string];
    start.children = [
      { name: 'Request Method', filter: 'http.request.method', offset: 0, length: method.length, value: method },
      { name: 'Request URI', filter: 'http.request.uri', offset: method.length + 1, length: uri.length, value: uri },
      { name: 'Request Version', filter: 'http.request.version', offset: method.length + uri.length + 2, length: version.length, value: version },
    ];
  } else if (res !== null) {
    const [, version, code, phrase = ''] = res as unknown as [string, string, string, string | undefined];
    start.children = [
      { name: 'Response Version', filter: 'http.response.version', offset: 0, length: version.length, value: version },
      { name: 'Status Code', filter: 'http.response.code', offset: version.length + 1, length: 3, value: Number(code) },
      { name: 'Response Phrase', filter: 'http.response.phrase', offset: version.length + 5, length: phrase.length, value: phrase },
    ];
  } else {
    flag(start, { severity: 'error', message: 'not an HTTP/1.x request line or status line (RFC 9112 §3, §4)' });
  }
  fields.push(start);

  const headers: FieldNode = { name: 'Headers', filter: 'http.headers', offset: first.length + 2, length: 0, children: [] };
  let at = first.length + 2;
  let contentLength: number | undefined;
  let contentType: string | undefined;
  for (const line of lines.slice(1)) {
    const node: FieldNode = { name: line.split(':', 1)[0] ?? line, filter: lineName, offset: at, length: line.length + 2, value: line };
    const colon = line.indexOf(':');
    if (colon <= 0) {
      flag(node, { severity: 'error', message: 'a header line needs a name, a colon and a value (RFC 9112 §5)' });
    } else {
      const name = line.slice(0, colon);
      const value = line.slice(colon + 1).trim();
      const known = HEADER_FILTERS[name.toLowerCase()];
      const valueAt = at + colon + 1 + (line.slice(colon + 1).length - line.slice(colon + 1).trimStart().length);
      if (known !== undefined) node.children = [{ name, filter: known, offset: valueAt, length: value.length, value: known === 'http.content_length_header' ? Number(value) : value }];
      if (name.toLowerCase() === 'content-length') contentLength = Number(value);
      if (name.toLowerCase() === 'content-type') contentType = value;
    }
    headers.children!.push(node);
    at += line.length + 2;
  }
  headers.length = at - headers.offset + (head < 0 ? 0 : 2);
  if (head < 0) flag(headers, { severity: 'error', message: problem ?? 'the headers do not end (no empty line)' });
  fields.push(headers);

  const bodyLen = head < 0 ? 0 : bytes.length - head;
  if (bodyLen > 0) {
    const body = text.slice(head);
    const printable = /^[\t\n\r\x20-\x7e]*$/.test(body);
    const node: FieldNode = {
      name: 'File Data', filter: 'http.file_data', offset: head, length: bodyLen,
      value: printable ? body : Buffer.from(bytes.buffer, bytes.byteOffset + head, bodyLen).toString('hex'),
      display: `${bodyLen} byte${bodyLen === 1 ? '' : 's'}${contentType === undefined ? '' : `, ${contentType}`}`,
    };
    fields.push(node);
  }
  if (problem !== undefined && head >= 0) flag(fields.at(-1)!, { severity: 'error', message: problem });
  if (contentLength !== undefined && head >= 0 && contentLength !== bodyLen && problem === undefined) {
    flag(headers, { severity: 'warning', message: `Content-Length says ${contentLength} bytes, the body has ${bodyLen}` });
  }

  const summary = req !== null
    ? `${req[1]} ${req[2]} ${req[3]}${bodyLen > 0 ? ` (${bodyLen} bytes)` : ''}`
    : res !== null
      ? `${res[1]} ${res[2]}${res[3] === undefined ? '' : ` ${res[3]}`}${bodyLen > 0 ? ` (${bodyLen} bytes)` : ''}`
      : `not HTTP (${bytes.length} bytes)`;
  return {
    type: 'HTTP',
    typeCode: -1,
    version: 4,
    length: bytes.length,
    fields,
    issues,
    summary: `HTTP ${summary}`,
    info: { payloadLength: bodyLen },
  };
}
