// The real recordings of lessons/captures/ bundled into the page, so the demo works from file:// too.
import qosTour from '../../../../lessons/captures/qos-tour.pcapng?inline';
import pubackDropped from '../../../../lessons/captures/puback-dropped.pcapng?inline';
import willAfterSever from '../../../../lessons/captures/will-after-sever.pcapng?inline';

export interface DemoCapture {
  name: string;
  title: string;
  dataUrl: string;
}

export const DEMO_CAPTURES: readonly DemoCapture[] = [
  { name: 'qos-tour', title: 'QoS 0, 1 and 2, one message each', dataUrl: qosTour },
  { name: 'puback-dropped', title: 'A dropped PUBACK and the DUP=1 resend', dataUrl: pubackDropped },
  { name: 'will-after-sever', title: 'A Last Will after the connection is cut', dataUrl: willAfterSever },
];

export function dataUrlBytes(url: string): Uint8Array {
  const bin = atob(url.slice(url.indexOf(',') + 1));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
