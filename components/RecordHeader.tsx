/** Who the panel is about: avatar, name, email, and the CRM record (CRM, type, id). */
import { useLayoutEffect, useRef, useState } from 'react';
import type { CrmRecord } from '../lib/crm-record';
import { CrmLogo } from './CrmLogo';
import { focusWasDropped } from './focus';
import { crmLabel, initials } from './format';
import { IconCheck, IconCopy } from './icons';

export interface RecordHeaderProps {
  record: CrmRecord;
  name?: string;
  email?: string;
  /** Shown when the record came from a link rather than the page (context menu). */
  fromLink?: boolean;
  onBackToPage?: () => void;
}

export function RecordHeader({ record, name, email, fromLink, onBackToPage }: RecordHeaderProps) {
  const [copied, setCopied] = useState(false);
  // Shown in place of what had focus (the bulk view's Done, a loading state): the prospect's name takes it, so
  // focus is not left on the page and a screen reader says whose record this is.
  const headingRef = useRef<HTMLHeadingElement>(null);
  useLayoutEffect(() => {
    if (focusWasDropped()) headingRef.current?.focus();
  }, []);
  const type = record.objectType === 'contact' ? 'Contact' : 'Lead';
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(record.id);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      /* clipboard may be unavailable; nothing to do */
    }
  };
  return (
    <section className="ge-record" aria-label="Record">
      <div className={`ge-avatar ge-avatar--${record.objectType}`} aria-hidden="true">
        {initials(name, email)}
      </div>
      <div className="ge-record__main">
        <h1 ref={headingRef} tabIndex={-1} className="ge-record__name">{name || `${crmLabel(record.crm)} ${type.toLowerCase()}`}</h1>
        {email && (
          <a className="ge-record__email" href={`mailto:${email}`}>
            {email}
          </a>
        )}
        <div className="ge-record__meta">
          <CrmLogo crm={record.crm} size={14} />
          <span>{crmLabel(record.crm)}</span>
          <span className="ge-dot" aria-hidden="true">·</span>
          <span className={`ge-type ge-type--${record.objectType}`}>{type}</span>
          <span className="ge-dot" aria-hidden="true">·</span>
          <code className="ge-record__id" title="Record id">{record.id}</code>
          <button type="button" className="ge-icon-btn" onClick={copy} aria-label="Copy record id" title="Copy record id">
            {copied ? <IconCheck size={12} /> : <IconCopy size={12} />}
          </button>
        </div>
        {fromLink && (
          <div className="ge-record__link-note">
            From a link on this page.{' '}
            <button type="button" className="ge-linkbtn" onClick={onBackToPage}>
              Back to the page's record
            </button>
          </div>
        )}
      </div>
    </section>
  );
}
