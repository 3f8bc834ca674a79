/** First run: no backend token yet. Points the rep at the options page. */
import { EmptyState } from './EmptyState';
import { GongMark } from './CrmLogo';

export function SetupState({ onOpenSettings }: { onOpenSettings: () => void }) {
  return (
    <EmptyState
      icon={<GongMark size={40} />}
      title="Set up Gong Everywhere"
      action={
        <button type="button" className="ge-btn ge-btn--primary" onClick={onOpenSettings}>
          Open settings
        </button>
      }
    >
      Add your company's Gong Everywhere backend URL and your API token to see Gong Engage flows and calls on every Salesforce and HubSpot record.
    </EmptyState>
  );
}
