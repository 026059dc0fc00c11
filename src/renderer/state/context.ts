// Stores reach components through Svelte context, so tests and demos can mount views with any LabStore.
import { getContext, setContext } from 'svelte';
import type { LabStore } from './lab.svelte.js';
import type { UiStore } from './ui.svelte.js';

const LAB = Symbol('lab');
const UI = Symbol('ui');

export function provideStores(lab: LabStore, ui: UiStore): void {
  setContext(LAB, lab);
  setContext(UI, ui);
}

export function useLab(): LabStore {
  return getContext<LabStore>(LAB);
}

export function useUi(): UiStore {
  return getContext<UiStore>(UI);
}
