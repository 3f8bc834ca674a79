/**
 * Bundled by the detection benchmark and injected into a generated page: exactly the work the content
 * script does on a navigation (readVisibleIdentity + the payload it compares), plus the URL detection
 * the background runs on that payload (detectCrmRecord).
 */
import { readVisibleIdentity } from '../entrypoints/content/page-identity';
import { detectCrmRecord } from '../lib/crm-record';

(globalThis as unknown as { __geDetect: (url: string) => string }).__geDetect = (url: string) => {
  const identity = readVisibleIdentity(document, url);
  const payload = { url, ...identity };
  const key = JSON.stringify(payload);
  const record = detectCrmRecord(url);
  return `${key}|${record ? record.id : ''}`;
};
