/** The side panel's first reads, as a classic script its HTML runs before the panel's modules (see ./sidepanel/prefetch). */
import { defineUnlistedScript } from 'wxt/utils/define-unlisted-script';
import { startPanelPrefetch } from './sidepanel/prefetch';

export default defineUnlistedScript(startPanelPrefetch);
