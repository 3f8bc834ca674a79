/**
 * Finds the CRM prospect (contact or lead) a URL points at. Pure: used by the content script,
 * the background (tabs and context-menu links), the side panel and the backend.
 */
export type CrmKind = 'salesforce' | 'hubspot';
export type ProspectType = 'contact' | 'lead';

export interface CrmRecord {
  crm: CrmKind;
  objectType: ProspectType;
  /** Salesforce: always the 18-character id. HubSpot: the numeric record id. */
  id: string;
}

/** Why a CRM page is not a prospect; lets the panel say something useful. */
export type NotAProspect = { crm: CrmKind; reason: 'other-object' | 'no-record' };

const CHECKSUM_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const SF_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/** Turns a 15-character Salesforce id into its case-insensitive 18-character form. */
export function toSalesforceId18(id: string): string | null {
  if (!SF_ID.test(id)) return null;
  const base = id.slice(0, 15);
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let mask = 0;
    for (let i = 0; i < 5; i++) {
      const c = base.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) mask |= 1 << i;
    }
    suffix += CHECKSUM_ALPHABET[mask];
  }
  if (id.length === 18 && id.slice(15).toUpperCase() !== suffix) return null;
  return base + suffix;
}

/** The CRM sites the extension runs on, as match-pattern origins: the manifest, the content script and the menus use these. */
export const CRM_ORIGINS = ['https://*.force.com', 'https://*.salesforce.com', 'https://*.hubspot.com'];
/** Every page of those sites. */
export const CRM_PAGE_PATTERNS = CRM_ORIGINS.map((o) => `${o}/*`);

const SF_PREFIX: Record<string, ProspectType> = { '003': 'contact', '00Q': 'lead' };
const SF_OBJECT: Record<string, ProspectType> = { contact: 'contact', lead: 'lead' };

function isSalesforceHost(host: string): boolean {
  return (
    host.endsWith('.lightning.force.com') ||
    host.endsWith('.salesforce.com') ||
    host.endsWith('.force.com') ||
    host.endsWith('.salesforce-setup.com') ||
    host.endsWith('.sfcrmproducts.cn')
  );
}

const HUBSPOT_HOST = /^app(?:-[a-z]{2,4}\d{0,2})?\.hubspot(?:qa)?\.com$/;
const HUBSPOT_OBJECT: Record<string, ProspectType> = { '0-1': 'contact', '0-136': 'lead' };

function salesforceRecord(rawId: string, objectName?: string): CrmRecord | null {
  const id = toSalesforceId18(rawId);
  if (!id) return null;
  const byPrefix = SF_PREFIX[id.slice(0, 3)];
  const byName = objectName ? SF_OBJECT[objectName.toLowerCase()] : undefined;
  // The key prefix is authoritative; an object name that disagrees means a different object.
  if (!byPrefix || (objectName && byName !== byPrefix)) return null;
  return { crm: 'salesforce', objectType: byPrefix, id };
}

function fromSalesforcePath(path: string): CrmRecord | null | undefined {
  let m = /^\/lightning\/r\/(?:([A-Za-z_][A-Za-z0-9_]*)\/)?([a-zA-Z0-9]{15,18})(?:\/|$)/.exec(path);
  if (m) return salesforceRecord(m[2], m[1]);
  m = /^\/(?:one\/one\.app)?#?\/?sObject\/([a-zA-Z0-9]{15,18})(?:\/|$)/.exec(path);
  if (m) return salesforceRecord(m[1]);
  // Classic: the id is the whole first path segment.
  m = /^\/([a-zA-Z0-9]{15}|[a-zA-Z0-9]{18})(?:\/[a-z]?)?$/.exec(path);
  if (m) return salesforceRecord(m[1]);
  return undefined;
}

function detectSalesforce(url: URL): CrmRecord | null {
  const direct = fromSalesforcePath(url.pathname);
  if (direct !== undefined && direct !== null) return direct;
  // Console apps keep the focused record tab in `ws=`; the old one.app keeps it in the hash.
  const ws = url.searchParams.get('ws');
  if (ws) {
    const inner = fromSalesforcePath(decodeURIComponent(ws).split('?')[0]);
    if (inner) return inner;
  }
  if (url.hash) {
    const hash = decodeURIComponent(url.hash.slice(1));
    const inner = fromSalesforcePath(hash.startsWith('/') ? hash : `/${hash}`);
    if (inner) return inner;
  }
  return direct ?? null;
}

function detectHubspot(url: URL): CrmRecord | null {
  const path = url.pathname;
  let m = /^\/contacts\/\d+\/record\/(0-\d+)\/(\d+)(?:\/|$)/.exec(path);
  if (m) {
    const objectType = HUBSPOT_OBJECT[m[1]];
    return objectType ? { crm: 'hubspot', objectType, id: m[2] } : null;
  }
  m = /^\/contacts\/\d+\/(contact|lead)\/(\d+)(?:\/|$)/.exec(path);
  if (m) return { crm: 'hubspot', objectType: m[1] as ProspectType, id: m[2] };
  // Lead records also open in the prospecting workspace.
  m = /^\/prospecting\/\d+\/leads\/.*?[?&]?leadId=(\d+)/.exec(path + url.search);
  if (m) return { crm: 'hubspot', objectType: 'lead', id: m[1] };
  return null;
}

/** Which CRM, if any, a URL belongs to (even when it is not a prospect page). */
export function crmOfUrl(url: string): CrmKind | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'https:') return null;
  if (isSalesforceHost(u.hostname)) return 'salesforce';
  if (HUBSPOT_HOST.test(u.hostname)) return 'hubspot';
  return null;
}

export function detectCrmRecord(url: string): CrmRecord | null {
  const crm = crmOfUrl(url);
  if (!crm) return null;
  const u = new URL(url);
  return crm === 'salesforce' ? detectSalesforce(u) : detectHubspot(u);
}

/** Stable key for a record: caches, outbox entries, messages. */
export function recordKey(r: CrmRecord): string {
  return `${r.crm}:${r.objectType}:${r.id}`;
}

/** Prospect ids Gong accepts: Salesforce 18-char ids or HubSpot numeric ids. */
export const CRM_PROSPECT_ID = /^(?:[a-zA-Z0-9]{18}|\d{1,20})$/;
