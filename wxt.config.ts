import { defineConfig } from 'wxt';
import { CRM_PAGE_PATTERNS } from './lib/crm-record';

// CRM hosts the extension reads (record detection, list collection) and the loopback backend. Any other
// backend origin is asked for at save time (optional_host_permissions): least privilege by default.
const LOOPBACK = ['http://127.0.0.1/*', 'http://localhost/*'];

export const PREACT_FOR_REACT = [
  { find: /^react-dom\/client$/, replacement: 'preact/compat/client' },
  { find: /^react-dom$/, replacement: 'preact/compat' },
  { find: /^react\/jsx-runtime$/, replacement: 'preact/jsx-runtime' },
  { find: /^react\/jsx-dev-runtime$/, replacement: 'preact/jsx-dev-runtime' },
  { find: /^react$/, replacement: 'preact/compat' },
];

// See https://wxt.dev/api/config.html
export default defineConfig({
  modules: ['@wxt-dev/module-react', '@wxt-dev/webextension-polyfill'],
  srcDir: '.',
  // Explicit imports everywhere: easier to read and to share code with the backend.
  imports: false,
  entrypointsDir: 'entrypoints',
  // The extension pages render with Preact through its React compatibility layer: the same components and
  // hooks (zustand included), ~60 KB gzipped less JavaScript for the side panel to parse on a cold open
  // (issue 15's goal: panel JS ≤ 80 KB gzipped). Tests that render components in Node use the same aliases.
  vite: () => ({ resolve: { alias: PREACT_FOR_REACT } }),
  hooks: {
    // The content script calls chrome.* directly and must stay tiny (bench goal ≤ 4 KB gzipped): the WXT
    // runtime bundled into it (ContentScriptContext) gets the plain `chrome` namespace instead of
    // webextension-polyfill (≈ 3 KB gzipped). Every other entrypoint keeps the polyfill.
    'vite:build:extendConfig': (entrypoints, config) => {
      if (!entrypoints.length || !entrypoints.every((e) => e.type === 'content-script')) return;
      const plainChrome = '@wxt-dev/browser';
      config.resolve ??= {};
      const alias = config.resolve.alias;
      if (Array.isArray(alias)) {
        config.resolve.alias = [{ find: /^wxt\/browser$/, replacement: plainChrome }, ...alias.filter((a) => a.find !== 'wxt/browser')];
      } else config.resolve.alias = { ...(alias ?? {}), 'wxt/browser': plainChrome };
    },
  },
  manifest: {
    name: 'Gong Everywhere',
    short_name: 'Gong Everywhere',
    description: 'Gong Engage flows, tasks and calls on every Salesforce and HubSpot record.',
    icons: { 16: 'icon/16.png', 32: 'icon/32.png', 48: 'icon/48.png', 128: 'icon/128.png' },
    action: {
      default_title: 'Gong Everywhere',
      default_icon: { 16: 'icon/16.png', 32: 'icon/32.png', 48: 'icon/48.png', 128: 'icon/128.png' },
    },
    // identity: launchWebAuthFlow for SSO sign-in (no Google account access is asked for).
    permissions: ['sidePanel', 'storage', 'tabs', 'contextMenus', 'alarms', 'scripting', 'activeTab', 'identity'],
    host_permissions: [...CRM_PAGE_PATTERNS, ...LOOPBACK],
    optional_host_permissions: ['https://*/*', 'http://*/*'],
    storage: { managed_schema: 'managed_schema.json' },
    commands: {
      'open-side-panel': {
        suggested_key: { default: 'Alt+Shift+G', mac: 'Alt+Shift+G' },
        description: 'Open the Gong panel',
      },
      'open-flow-picker': {
        suggested_key: { default: 'Alt+Shift+F', mac: 'Alt+Shift+F' },
        description: 'Add the record on screen to a Gong flow',
      },
    },
    // Only the extension's own scripts: nothing is ever loaded from the network.
    content_security_policy: {
      extension_pages: "script-src 'self'; object-src 'self'",
    },
  },
});
