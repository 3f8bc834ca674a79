/** Small inline icons (no icon font, nothing fetched). 16px, stroke = currentColor. */
import type { ReactElement } from 'react';

type P = { size?: number; className?: string };
const svg = (path: ReactElement, { size = 16, className }: P) => (
  <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round" className={className} aria-hidden="true">
    {path}
  </svg>
);

export const PhoneIcon = (p: P) => svg(<path d="M22 16.9v3a2 2 0 0 1-2.2 2 19.8 19.8 0 0 1-8.6-3.1 19.5 19.5 0 0 1-6-6A19.8 19.8 0 0 1 2.1 4.2 2 2 0 0 1 4.1 2h3a2 2 0 0 1 2 1.7c.1.9.4 1.8.7 2.7a2 2 0 0 1-.5 2.1L8 9.8a16 16 0 0 0 6 6l1.3-1.3a2 2 0 0 1 2.1-.4c.9.3 1.8.6 2.7.7a2 2 0 0 1 1.7 2z" />, p);
export const MailIcon = (p: P) => svg(<><rect x="2" y="4" width="20" height="16" rx="2" /><path d="m22 7-10 6L2 7" /></>, p);
export const LinkedInIcon = (p: P) => svg(<><path d="M16 8a6 6 0 0 1 6 6v7h-4v-7a2 2 0 0 0-4 0v7h-4v-7a6 6 0 0 1 6-6z" /><rect x="2" y="9" width="4" height="12" /><circle cx="4" cy="4" r="2" /></>, p);
export const TaskIcon = (p: P) => svg(<><rect x="3" y="4" width="18" height="17" rx="2" /><path d="M8 2v4M16 2v4M8 13l3 3 5-6" /></>, p);
export const CheckIcon = (p: P) => svg(<path d="M20 6 9 17l-5-5" />, p);
export const SkipIcon = (p: P) => svg(<><path d="m5 4 10 8-10 8V4z" /><path d="M19 5v14" /></>, p);
export const GearIcon = (p: P) => svg(<><circle cx="12" cy="12" r="3" /><path d="M19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1z" /></>, p);
export const PanelIcon = (p: P) => svg(<><rect x="3" y="3" width="18" height="18" rx="2" /><path d="M15 3v18" /></>, p);
export const CloudOffIcon = (p: P) => svg(<><path d="m2 2 20 20" /><path d="M5.8 8.2A6 6 0 0 0 6 20h11a4.5 4.5 0 0 0 2.7-.9M21.9 15.6A4.5 4.5 0 0 0 17.5 10h-1.3a8 8 0 0 0-7.6-5.9" /></>, p);
export const PlugIcon = (p: P) => svg(<><path d="M12 22v-5M9 8V2M15 8V2" /><path d="M18 8v5a6 6 0 0 1-12 0V8z" /></>, p);
export const ClockIcon = (p: P) => svg(<><circle cx="12" cy="12" r="9" /><path d="M12 7v5l3 2" /></>, p);
export const RefreshIcon = (p: P) => svg(<><path d="M21 12a9 9 0 1 1-2.6-6.4L21 8" /><path d="M21 3v5h-5" /></>, p);
export const AlertIcon = (p: P) => svg(<><circle cx="12" cy="12" r="9" /><path d="M12 8v4M12 16h.01" /></>, p);
export const SparkIcon = (p: P) => svg(<path d="M12 3v4M12 17v4M3 12h4M17 12h4M5.6 5.6l2.8 2.8M15.6 15.6l2.8 2.8M5.6 18.4l2.8-2.8M15.6 8.4l2.8-2.8" />, p);
