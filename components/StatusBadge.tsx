/** A Gong flow-instance status as a coloured pill. */
import { flowStatusBadge, type Tone } from './format';

export function Badge({ tone = 'neutral', children }: { tone?: Tone; children: React.ReactNode }) {
  return <span className={`ge-badge${tone === 'neutral' ? '' : ` ge-badge--${tone}`}`}>{children}</span>;
}

export function FlowStatusBadge({ status }: { status: string }) {
  const { label, tone } = flowStatusBadge(status);
  return <Badge tone={tone}>{label}</Badge>;
}
