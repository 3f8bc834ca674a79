/** Small inline SVG icons (16px, currentColor) so the panel has no remote assets. */
import type { SVGProps } from 'react';

type P = SVGProps<SVGSVGElement> & { size?: number };
const base = ({ size = 16, ...p }: P) => ({
  width: size,
  height: size,
  viewBox: '0 0 16 16',
  fill: 'none',
  stroke: 'currentColor',
  strokeWidth: 1.6,
  strokeLinecap: 'round' as const,
  strokeLinejoin: 'round' as const,
  'aria-hidden': true,
  focusable: false,
  ...p,
});

export const IconPlus = (p: P) => (<svg {...base(p)}><path d="M8 3v10M3 8h10" /></svg>);
export const IconRefresh = (p: P) => (<svg {...base(p)}><path d="M13.5 8a5.5 5.5 0 1 1-1.6-3.9" /><path d="M13.5 2.5v3h-3" /></svg>);
export const IconExternal = (p: P) => (<svg {...base(p)}><path d="M9 2.5h4.5V7M13.5 2.5 7.5 8.5M12 9.5v3a1 1 0 0 1-1 1H3.5a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1h3" /></svg>);
export const IconChevron = (p: P) => (<svg {...base(p)}><path d="m6 4 4 4-4 4" /></svg>);
export const IconCheck = (p: P) => (<svg {...base(p)}><path d="m3 8.5 3 3 7-7" /></svg>);
export const IconAlert = (p: P) => (<svg {...base(p)}><path d="M8 1.8 1.3 13.5h13.4L8 1.8Z" /><path d="M8 6.3v3.2M8 11.6v.1" /></svg>);
export const IconInfo = (p: P) => (<svg {...base(p)}><circle cx="8" cy="8" r="6.3" /><path d="M8 7.3v3.8M8 4.9v.1" /></svg>);
export const IconClock = (p: P) => (<svg {...base(p)}><circle cx="8" cy="8" r="6.3" /><path d="M8 4.5V8l2.3 1.5" /></svg>);
export const IconGear = (p: P) => (<svg {...base(p)}><circle cx="8" cy="8" r="2.2" /><path d="M8 1.5v1.7M8 12.8v1.7M14.5 8h-1.7M3.2 8H1.5M12.6 3.4l-1.2 1.2M4.6 11.4l-1.2 1.2M12.6 12.6l-1.2-1.2M4.6 4.6 3.4 3.4" /></svg>);
export const IconClose = (p: P) => (<svg {...base(p)}><path d="m4 4 8 8M12 4l-8 8" /></svg>);
export const IconSearch = (p: P) => (<svg {...base(p)}><circle cx="7" cy="7" r="4.5" /><path d="m10.5 10.5 3 3" /></svg>);
export const IconFlow = (p: P) => (<svg {...base(p)}><circle cx="3.5" cy="4" r="1.8" /><circle cx="12.5" cy="12" r="1.8" /><path d="M5.3 4H10a2.5 2.5 0 0 1 0 5H6a2.5 2.5 0 0 0 0 5h4.7" /></svg>);
export const IconPhoneIn = (p: P) => (<svg {...base(p)}><path d="M14 11.2v1.9a1.3 1.3 0 0 1-1.4 1.3A12.6 12.6 0 0 1 1.6 3.4 1.3 1.3 0 0 1 2.9 2h1.9l1 2.7-1.3 1.1a9.6 9.6 0 0 0 5.7 5.7l1.1-1.3 2.7 1Z" /><path d="M14 2l-4 4M10 3v3h3" /></svg>);
export const IconPhoneOut = (p: P) => (<svg {...base(p)}><path d="M14 11.2v1.9a1.3 1.3 0 0 1-1.4 1.3A12.6 12.6 0 0 1 1.6 3.4 1.3 1.3 0 0 1 2.9 2h1.9l1 2.7-1.3 1.1a9.6 9.6 0 0 0 5.7 5.7l1.1-1.3 2.7 1Z" /><path d="m10 6 4-4M11 2h3v3" /></svg>);
export const IconVideo = (p: P) => (<svg {...base(p)}><rect x="1.5" y="4" width="9" height="8" rx="1.5" /><path d="m10.5 7 4-2.3v6.6l-4-2.3" /></svg>);
export const IconSpark = (p: P) => (<svg {...base(p)}><path d="M8 1.5 9.6 6.4 14.5 8l-4.9 1.6L8 14.5 6.4 9.6 1.5 8l4.9-1.6L8 1.5Z" /></svg>);
export const IconCopy = (p: P) => (<svg {...base(p)}><rect x="5" y="5" width="8.5" height="8.5" rx="1.5" /><path d="M11 5V3.5A1 1 0 0 0 10 2.5H3.5a1 1 0 0 0-1 1V10a1 1 0 0 0 1 1H5" /></svg>);
export const IconPlug = (p: P) => (<svg {...base(p)}><path d="M6 1.5v3M10 1.5v3M4 4.5h8v3a4 4 0 0 1-8 0v-3ZM8 11.5v3" /></svg>);
