import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../server/http/html-page';
import { sameSecret } from '../../server/same-secret';

// The one home of both for the backend's pages and the sandbox's (hosted login, Gong authorize page, token endpoint).
describe('escapeHtml', () => {
  it('escapes the five characters that can end text or an attribute', () => {
    expect(escapeHtml(`<b a="1" c='2'>&</b>`)).toBe('&lt;b a=&quot;1&quot; c=&#39;2&#39;&gt;&amp;&lt;/b&gt;');
  });

  it('leaves other text, non-ASCII included, as it is', () => {
    expect(escapeHtml('Zoë Ng · ops@acme.test')).toBe('Zoë Ng · ops@acme.test');
  });
});

describe('sameSecret', () => {
  it('is true only for the same string', () => {
    expect(sameSecret('s3cret', 's3cret')).toBe(true);
    expect(sameSecret('s3cret', 's3creT')).toBe(false);
    expect(sameSecret('', '')).toBe(true);
  });

  it('is false, not a throw, when the lengths differ (in characters or in UTF-8 bytes)', () => {
    expect(sameSecret('s3cret', 's3cret!')).toBe(false);
    expect(sameSecret('é', 'e')).toBe(false);
    expect(sameSecret('éa', 'aé')).toBe(false);
  });
});
