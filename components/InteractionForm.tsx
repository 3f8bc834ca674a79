/** Report a digital interaction (e.g. "Visited pricing page") to Gong Engage for this prospect. */
import { useId, useRef, useState } from 'react';
import { fromLocalInputValue, toLocalInputValue } from './format';
import { useRefocusWhenDropped } from './focus';
import { IconSpark } from './icons';
import type { WriteState } from './write-state';

const SUGGESTIONS = ['Visited pricing page', 'Requested a demo', 'Downloaded whitepaper', 'Attended webinar', 'Started free trial', 'Opened proposal'];

export interface InteractionFormProps {
  defaultUrl?: string;
  write: WriteState;
  onSubmit: (v: { eventName: string; eventTimestamp: string; url?: string }) => void;
  onReset: () => void;
}

export function InteractionForm({ defaultUrl, write, onSubmit, onReset }: InteractionFormProps) {
  const [eventName, setEventName] = useState('');
  const [when, setWhen] = useState(() => toLocalInputValue(new Date()));
  const [url, setUrl] = useState(defaultUrl ?? '');
  const [problem, setProblem] = useState<string | null>(null);
  const anotherRef = useRef<HTMLButtonElement>(null);
  const eventRef = useRef<HTMLInputElement>(null);
  const outcomeId = useId();
  const finished = write.status === 'done' || write.status === 'queued';
  // The form gives way to its outcome and back: focus, dropped with the control that held it, goes to the next step
  // ("Report another", which names the outcome; then the Event field), unless the rep has moved on.
  useRefocusWhenDropped(finished, (now) => (now ? anotherRef.current : eventRef.current));

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const ts = fromLocalInputValue(when);
    if (!eventName.trim()) return setProblem('Give the event a name.');
    if (!ts) return setProblem('Pick a valid date and time.');
    if (url.trim()) {
      try {
        new URL(url.trim());
      } catch {
        return setProblem('The URL must start with https:// or http://');
      }
    }
    setProblem(null);
    onSubmit({ eventName: eventName.trim(), eventTimestamp: ts, url: url.trim() || undefined });
  };

  if (finished)
    return (
      <div className={`ge-alert ge-alert--${write.status === 'done' ? 'success' : 'info'} ge-interaction__done`} role="status">
        <span className="ge-alert__text" id={outcomeId}>
          {write.message}
        </span>
        <button
          ref={anotherRef}
          aria-describedby={outcomeId}
          type="button"
          className="ge-btn ge-btn--sm"
          onClick={() => {
            setEventName('');
            setWhen(toLocalInputValue(new Date()));
            onReset();
          }}
        >
          Report another
        </button>
      </div>
    );

  return (
    <form className="ge-interaction" onSubmit={submit} aria-label="Report a digital interaction" noValidate>
      <label className="ge-field">
        <span className="ge-label">Event</span>
        <input ref={eventRef} className="ge-input" list="ge-event-suggestions" value={eventName} onChange={(e) => setEventName(e.target.value)} placeholder="e.g. Visited pricing page" maxLength={200} />
        <datalist id="ge-event-suggestions">
          {SUGGESTIONS.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
      </label>
      <div className="ge-row">
        <label className="ge-field ge-field--grow">
          <span className="ge-label">When</span>
          <input className="ge-input" type="datetime-local" value={when} onChange={(e) => setWhen(e.target.value)} />
        </label>
      </div>
      <label className="ge-field">
        <span className="ge-label">URL (optional)</span>
        <input className="ge-input" type="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://acme.com/pricing" />
      </label>
      {(problem || write.status === 'error' || write.status === 'refused') && (
        <div className="ge-alert ge-alert--error" role="alert">
          {problem ?? ('message' in write ? write.message : null)}
        </div>
      )}
      <div className="ge-interaction__foot">
        <button type="submit" className="ge-btn ge-btn--primary" disabled={write.status === 'sending'}>
          {write.status === 'sending' ? <span className="ge-spinner" aria-hidden="true" /> : <IconSpark size={13} />}
          Report interaction
        </button>
      </div>
    </form>
  );
}
