// The application menu as data, built from the actions main provides; Electron turns it into a Menu.
export interface MenuActions {
  openCapture(): void;
  saveCapture(): void;
  openLessonsFolder(): void;
  quit(): void;
}

export interface MenuItemSpec {
  label?: string;
  accelerator?: string;
  role?: 'toggleDevTools' | 'togglefullscreen';
  type?: 'separator';
  click?: () => void;
  submenu?: MenuItemSpec[];
}

export function menuTemplate(a: MenuActions): MenuItemSpec[] {
  return [
    {
      label: 'File',
      submenu: [
        { label: 'Open Capture…', accelerator: 'CmdOrCtrl+O', click: a.openCapture },
        { label: 'Save Capture as pcapng…', accelerator: 'CmdOrCtrl+S', click: a.saveCapture },
        { type: 'separator' },
        { label: 'Quit', accelerator: 'CmdOrCtrl+Q', click: a.quit },
      ],
    },
    {
      label: 'Lessons',
      submenu: [{ label: 'Open My Lessons Folder', click: a.openLessonsFolder }],
    },
    {
      label: 'View',
      submenu: [
        // No zoom roles: Ctrl +/−/0 belong to the notebook's own zoom, which scales text and diagrams together.
        { role: 'togglefullscreen' }, { role: 'toggleDevTools' },
      ],
    },
  ];
}
