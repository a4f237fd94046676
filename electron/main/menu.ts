import type { MenuItemConstructorOptions } from 'electron';
import type { PushOf } from '../../shared/contract/channels';

/** The app menu; actions reach the renderer as `app:menu` pushes. */
export function menuTemplate(
  isMac: boolean,
  send: (payload: PushOf<'app:menu'>) => void,
  openRecent: ReadonlyArray<{ label: string; click: () => void }>,
): MenuItemConstructorOptions[] {
  const view = (label: string, v: string, accelerator: string): MenuItemConstructorOptions => ({
    label,
    accelerator,
    click: () => send({ action: 'openView', view: v }),
  });
  return [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Choose Folder…', accelerator: 'CmdOrCtrl+O', click: () => send({ action: 'chooseFolder' }) },
        { label: 'Try with Demo Data', click: () => send({ action: 'demo' }) },
        { label: 'Open Recent', submenu: openRecent.length > 0 ? [...openRecent] : [{ label: '(none)', enabled: false }] },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        view('Input', 'input', 'CmdOrCtrl+1'),
        view('Configuration', 'config', 'CmdOrCtrl+2'),
        view('Run', 'run', 'CmdOrCtrl+3'),
        view('Quality', 'quality', 'CmdOrCtrl+4'),
        view('Result', 'result', 'CmdOrCtrl+5'),
        view('Logs', 'logs', 'CmdOrCtrl+6'),
        view('History', 'history', 'CmdOrCtrl+7'),
        { type: 'separator' },
        { label: 'Night Mode', accelerator: 'CmdOrCtrl+Shift+N', click: () => send({ action: 'toggleNight' }) },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  ];
}
