/**
 * The renderer's Content-Security-Policy, used by renderer/index.html (meta tag, Electron) and sent
 * as a header by the browser host. Scripts only from the app itself, no eval, no plugins, no
 * framing; the only network peer is the page's own origin (the browser host's WebSocket).
 * Styles allow 'unsafe-inline' because CodeMirror 6 injects its theme as a <style> element; style
 * injection cannot run code, and script-src stays strict.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
].join('; ');
