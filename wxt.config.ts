import { defineConfig } from 'wxt';

// See https://wxt.dev/api/config.html
export default defineConfig({
  modules: ['@wxt-dev/module-react', '@wxt-dev/webextension-polyfill'],
  srcDir: '.',
  // Explicit imports everywhere: easier to read and to share code with the backend.
  imports: false,
  entrypointsDir: 'entrypoints',
  manifest: {
    name: 'Gong Everywhere',
    description: 'Gong Engage flows, tasks and calls on every Salesforce and HubSpot record.',
    permissions: ['sidePanel', 'storage', 'tabs', 'contextMenus', 'alarms'],
    host_permissions: [
      'https://*.lightning.force.com/*',
      'https://*.salesforce.com/*',
      'https://*.force.com/*',
      'https://app.hubspot.com/*',
      'https://*.hubspot.com/*',
      'http://127.0.0.1/*',
      'http://localhost/*',
    ],
  },
});
