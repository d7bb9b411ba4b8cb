// The panel's HTML shell: a strict content security policy (scripts only with
// the nonce, styles and images only from the webview's own origin, nothing
// remote), the stylesheets (the panel's, the codicon font's) and the bundled script. Content never comes in the
// HTML: the script asks for it (`ready`) once it has loaded (see
// src/extension/panel-delivery.ts).

export interface PanelHtmlOptions {
  /** `webview.cspSource`: the origin local resources are served from. */
  readonly cspSource: string;
  /** A fresh random value per render; only scripts carrying it run. */
  readonly nonce: string;
  /** media/webview.js as a webview URI. */
  readonly scriptUri: string;
  /** media/panel.css as a webview URI. */
  readonly styleUri: string;
  /** media/codicons/codicon.css (VS Code's icon font, from @vscode/codicons) as a webview URI. */
  readonly codiconsUri: string;
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function renderPanelHtml(options: PanelHtmlOptions): string {
  const { cspSource, nonce, scriptUri, styleUri, codiconsUri } = options;
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(nonce)) throw new Error('renderPanelHtml: the nonce must be at least 16 base64 or hex characters');
  // VS Code's real value is a source list, `'self' https://*.vscode-cdn.net`: quotes and spaces are fine, a `;` would add a directive.
  if (/[;"<>\r\n]/.test(cspSource) || cspSource.trim() === '') throw new Error(`renderPanelHtml: invalid cspSource '${cspSource}'`);
  const csp = [`default-src 'none'`, `script-src 'nonce-${nonce}'`, `style-src ${cspSource}`, `img-src ${cspSource} data:`, `font-src ${cspSource}`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}" />
    <meta name="viewport" content="width=device-width, initial-scale=1.0" />
    <link rel="stylesheet" href="${escapeAttribute(codiconsUri)}" />
    <link rel="stylesheet" href="${escapeAttribute(styleUri)}" />
    <title>Wakerscope Simulation</title>
  </head>
  <body>
    <main id="app" aria-label="Wakerscope simulation">
      <p class="empty">Run <strong>Wakerscope: Simulate Scenario</strong> or <strong>Wakerscope: Explore Vtable</strong> to see a run here.</p>
    </main>
    <div id="announcer" class="visually-hidden" aria-live="polite"></div>
    <script nonce="${nonce}" src="${escapeAttribute(scriptUri)}"></script>
  </body>
</html>
`;
}
