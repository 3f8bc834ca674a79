/** One recent Gong call: when, what, how long, who, talk ratio, and an expandable transcript preview. */
import { useId, useState } from 'react';
import type { CallSummary } from '../lib/api';
import { formatDuration, formatShortDate } from './format';
import { IconExternal, IconPhoneIn, IconPhoneOut, IconVideo } from './icons';
import { TalkRatioBar } from './TalkRatioBar';

function DirectionIcon({ direction }: { direction: string | null }) {
  if (direction === 'Inbound') return <IconPhoneIn />;
  if (direction === 'Outbound') return <IconPhoneOut />;
  return <IconVideo />;
}

export function CallCard({ call }: { call: CallSummary }) {
  const [open, setOpen] = useState(false);
  const transcriptId = useId();
  const external = call.parties.filter((p) => p.affiliation === 'External');
  const internal = call.parties.filter((p) => p.affiliation === 'Internal');
  const names = (ps: typeof call.parties) => ps.map((p) => p.name || p.email || 'Unknown').join(', ');
  const preview = open ? call.transcriptPreview : call.transcriptPreview.slice(0, 1);
  return (
    <li className="ge-call" aria-label={call.title}>
      <div className="ge-call__top">
        <span className={`ge-call__dir ge-call__dir--${(call.direction ?? 'conference').toLowerCase()}`} title={call.direction ?? 'Call'}>
          <DirectionIcon direction={call.direction} />
        </span>
        <div className="ge-call__head">
          {call.gongUrl ? (
            <a className="ge-call__title" href={call.gongUrl} target="_blank" rel="noreferrer" title="Open the call in Gong">
              {call.title} <IconExternal size={11} />
            </a>
          ) : (
            <span className="ge-call__title">{call.title}</span>
          )}
          <div className="ge-call__meta">
            <span>{formatShortDate(call.startedAt, new Date(), { withTime: true })}</span>
            <span className="ge-dot" aria-hidden="true">·</span>
            <span>{formatDuration(call.durationSeconds)}</span>
            {call.direction && (
              <>
                <span className="ge-dot" aria-hidden="true">·</span>
                <span>{call.direction}</span>
              </>
            )}
          </div>
        </div>
      </div>
      {(external.length > 0 || internal.length > 0) && (
        <div className="ge-call__parties">
          {external.length > 0 && (
            <span>
              <span className="ge-muted">With </span>
              {names(external)}
            </span>
          )}
          {internal.length > 0 && (
            <span>
              <span className="ge-muted">{external.length ? ' · Team ' : 'Team '}</span>
              {names(internal)}
            </span>
          )}
        </div>
      )}
      {call.talkRatio != null && <TalkRatioBar ratio={call.talkRatio} />}
      {call.transcriptPreview.length > 0 && (
        <div className="ge-transcript">
          <div id={transcriptId} className={`ge-transcript__lines${open ? ' ge-transcript__lines--open' : ''}`} role="group" aria-label="Transcript preview">
            {preview.map((l, i) => (
              <p key={i}>
                <strong>{l.speaker}:</strong> {l.text}
              </p>
            ))}
          </div>
          <button type="button" className="ge-linkbtn" aria-expanded={open} aria-controls={transcriptId} onClick={() => setOpen(!open)}>
            {open ? 'Hide transcript' : 'Show transcript'}
          </button>
        </div>
      )}
    </li>
  );
}
