/** CRM and Gong marks, drawn inline (simplified shapes, brand colours). */
import type { CrmKind } from '../lib/crm-record';

export function CrmLogo({ crm, size = 16 }: { crm: CrmKind; size?: number }) {
  if (crm === 'salesforce')
    return (
      <svg width={size} height={size} viewBox="0 0 24 24" role="img" aria-label="Salesforce">
        <path
          fill="var(--ge-salesforce)"
          d="M10 5.2a4.2 4.2 0 0 1 3-1.3 4.2 4.2 0 0 1 3.7 2.2 5 5 0 0 1 2-.4 5.1 5.1 0 0 1 0 10.2 5 5 0 0 1-1-.1 3.7 3.7 0 0 1-4.8 1.5 4.3 4.3 0 0 1-8-.3 3.9 3.9 0 0 1-.8.1A4 4 0 0 1 2 9.3a4 4 0 0 1 2-3.4 4.7 4.7 0 0 1 6-.7Z"
        />
      </svg>
    );
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" role="img" aria-label="HubSpot">
      <g fill="none" stroke="var(--ge-hubspot)" strokeWidth="2.4" strokeLinecap="round">
        <circle cx="15" cy="14" r="4.2" />
        <path d="M15 9.8V5.5M11.8 11.2 5.5 6.5M11.9 17l-3.4 3" />
      </g>
      <circle cx="15" cy="4.4" r="1.9" fill="var(--ge-hubspot)" />
      <circle cx="4.6" cy="5.8" r="1.7" fill="var(--ge-hubspot)" />
    </svg>
  );
}

export function GongMark({ size = 20 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <rect width="24" height="24" rx="6" fill="var(--ge-gong)" />
      <path d="M16.8 8.2A6 6 0 1 0 18 12h-5.4" fill="none" stroke="#fff" strokeWidth="2.4" strokeLinecap="round" />
    </svg>
  );
}
