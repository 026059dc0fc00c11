// Short-lived messages at the corner of the screen: failed commands, copied text.

export interface Notice {
  id: number;
  text: string;
  tone: 'info' | 'error';
}

export class NoticeStore {
  list = $state<Notice[]>([]);
  #id = 0;

  push(text: string, tone: Notice['tone'] = 'info', ms = tone === 'error' ? 8000 : 2500): void {
    const n = { id: ++this.#id, text, tone };
    this.list = [...this.list.slice(-4), n];
    setTimeout(() => this.dismiss(n.id), ms);
  }

  dismiss(id: number): void {
    this.list = this.list.filter((n) => n.id !== id);
  }
}
