/** Rep vs. prospect share of talk time as a two-tone bar. */
export function TalkRatioBar({ ratio }: { ratio: number }) {
  const rep = Math.round(Math.min(1, Math.max(0, ratio)) * 100);
  // Gong coaches reps toward listening more: flag a rep share above 65%.
  const high = rep > 65;
  return (
    <div className="ge-talk" role="img" aria-label={`Talk ratio: rep ${rep}%, prospect ${100 - rep}%`}>
      <div className="ge-talk__bar">
        <span className={`ge-talk__rep${high ? ' ge-talk__rep--high' : ''}`} style={{ width: `${rep}%` }} />
      </div>
      <div className="ge-talk__legend" aria-hidden="true">
        <span>
          <i className={`ge-talk__key ge-talk__key--rep${high ? ' ge-talk__rep--high' : ''}`} /> Rep {rep}%
        </span>
        <span>
          <i className="ge-talk__key" /> Prospect {100 - rep}%
        </span>
      </div>
    </div>
  );
}
