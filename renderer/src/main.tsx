import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { connectHost } from './api/host-api';
import { defaultText } from './lib/config-service';
import { createAppStore, installStore } from './store';
import { detectLang } from './i18n';
import { App } from './App';
import './styles.css';

const api = connectHost();
const store = createAppStore(api, defaultText(detectLang()));
installStore(store);

if (api) {
  // The bridge: host pushes become store actions named after the events (STYLE.md 16).
  api.onRunEvent(({ runDir, event }) => store.getState().runEventReceived(runDir, event));
  api.onMenu(({ action, view }) => {
    const s = store.getState();
    if (action === 'chooseFolder') void s.chooseFolder();
    else if (action === 'demo') void s.createDemoData();
    else if (action === 'toggleNight') s.setTheme(s.theme === 'night' ? 'dark' : 'night');
    else if (action === 'openView' && view) s.setView(view as Parameters<typeof s.setView>[0]);
  });
  void store.getState().loadAppInfo();
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App connected={api !== null} />
  </StrictMode>,
);
