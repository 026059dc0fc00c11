// The root font size in px, kept current: it follows the window width (clamp in global.css) and the
// lecturer's zoom (--zoom on <html>), and views that fit content to a width (hex rows, list columns)
// reason in em so they change with it.
class RootEm {
  px = $state(16);

  constructor() {
    if (typeof document === 'undefined') return;
    const read = (): void => {
      this.px = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
    };
    read();
    addEventListener('resize', read);
    new MutationObserver(read).observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
  }
}

export const rootEm = new RootEm();
