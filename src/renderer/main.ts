import { mount } from 'svelte';
import App from './App.svelte';
import './styles/global.css';
import { connectTransport } from './lib/transport.js';
import { LabStore } from './state/lab.svelte.js';
import { UiStore } from './state/ui.svelte.js';

const target = document.getElementById('app');
if (!target) throw new Error('index.html lacks the #app element');

const transport = connectTransport();
const lab = new LabStore(transport.api, transport.kind, transport.lessons, transport.capture);
const ui = new UiStore();

export default mount(App, { target, props: { lab, ui } });
lab.start();
void lab.viewer?.fromLocation(location);
