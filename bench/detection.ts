/**
 * Record detection per navigation on a ~5,000-node Lightning-like page, in Chromium: the content
 * script's per-navigation work (see detection-entry.ts, bundled from the same source files) timed in
 * the page after each simulated Lightning navigation.
 */
import { build } from 'esbuild';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { toSalesforceId18 } from '../lib/crm-record';
import { median, percentile, fmtMs, type BenchResult, prng } from './util';

const HOST = 'https://acme.lightning.force.com';

/** Valid 18-char contact ids. */
function contactIds(n: number): string[] {
  const rand = prng(42);
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from({ length: n }, () => {
    let s = '0038d0';
    while (s.length < 15) s += A[Math.floor(rand() * A.length)];
    return toSalesforceId18(s)!;
  });
}

/** The page: Lightning chrome, 5 kept (hidden) record pages + the active one, LWC-style open shadow roots. */
export function __pageHtml(): string {
  return pageHtml().replace("${FIELDS_PER_PAGE}", String(FIELDS_PER_PAGE));
}
function pageHtml(): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Salesforce</title></head><body class="desktop">
<div class="oneOne"><header class="slds-global-header_container"><div class="slds-global-header"><input type="search"></div></header>
<nav class="oneAppNavContainer" id="nav"></nav><div class="viewport"><div class="oneCenterStage" id="stage"></div></div></div>
<script>
(function(){
  var nav=document.getElementById('nav');
  for (var i=0;i<40;i++){ var a=document.createElement('a'); a.className='navItem'; a.href='#'; a.textContent='Item '+i; var s=document.createElement('span'); s.className='slds-icon'; a.appendChild(s); nav.appendChild(a); }
  // An LWC-like element: content in an open shadow root.
  function lwc(tag, html){ var el=document.createElement(tag); var root=el.attachShadow({mode:'open'}); root.innerHTML=html; return el; }
  function recordPage(n, active){
    var page=document.createElement('div');
    page.className='windowViewMode-normal oneContent'+(active?' active':'');
    if(!active) page.style.display='none';
    var name='Person '+n, email='person'+n+'@example.com';
    var hl=lwc('records-lwc-highlights-panel','<records-highlights2><div class="slds-page-header"><h1 class="slds-page-header__title"><slot name="primaryField"><lightning-formatted-name>'+name+'</lightning-formatted-name></slot></h1><dl class="highlights"><div><dt>Email</dt><dd><a href="mailto:'+email+'">'+email+'</a></dd></div><div><dt>Phone</dt><dd>+1 555 0100</dd></div></dl></div></records-highlights2>');
    page.appendChild(hl);
    var body=document.createElement('div'); body.className='record-body';
    // Fields: each a layout item with label, value and a nested LWC output (3 shadow nodes).
    for (var f=0; f<${FIELDS_PER_PAGE}; f++){
      var item=document.createElement('records-record-layout-item'); item.className='slds-form-element';
      var lab=document.createElement('span'); lab.className='slds-form-element__label'; lab.textContent='Field '+f;
      var val=document.createElement('div'); val.className='slds-form-element__control';
      val.appendChild(lwc('lightning-formatted-text','<span class="value">Value '+f+'</span><a href="#">link</a>'));
      item.appendChild(lab); item.appendChild(val); body.appendChild(item);
    }
    var related=document.createElement('div'); related.className='slds-card';
    for (var r=0;r<30;r++){ var row=document.createElement('div'); row.innerHTML='<a href="mailto:other'+r+'@acme.test">other'+r+'@acme.test</a><span>Related '+r+'</span>'; related.appendChild(row); }
    body.appendChild(related); page.appendChild(body);
    return page;
  }
  var stage=document.getElementById('stage'), n=0;
  for (var k=0;k<5;k++) stage.appendChild(recordPage(n++, false));
  stage.appendChild(recordPage(n++, true));
  window.__navigate=function(url){
    var act=stage.querySelector('.oneContent.active'); act.classList.remove('active'); act.style.display='none';
    // Lightning keeps a bounded number of pages: drop the oldest so the page stays ~5,000 nodes.
    stage.removeChild(stage.firstElementChild);
    history.pushState({}, '', url);
    stage.appendChild(recordPage(n++, true));
  };
  window.__countNodes=function(){
    var count=0, stack=[document];
    while(stack.length){ var root=stack.pop(); var all=root.querySelectorAll('*'); count+=all.length; for (var i=0;i<all.length;i++) if(all[i].shadowRoot) stack.push(all[i].shadowRoot); }
    return count;
  };
})();
</script></body></html>`;
}
const FIELDS_PER_PAGE = 120;

export async function detectionBench(opts: { chromiumPath: string; navigations?: number }): Promise<BenchResult> {
  const base = { id: 'record-detection', figure: 'record detection per navigation, 5,000-node Lightning-like page', goal: '≤ 1 ms median' };
  const bundle = await build({
    entryPoints: [join(import.meta.dirname, 'detection-entry.ts')],
    bundle: true,
    format: 'iife',
    write: false,
    minify: true,
    target: 'chrome120',
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0].text;
  const html = pageHtml().replace('${FIELDS_PER_PAGE}', String(FIELDS_PER_PAGE));
  const browser = await chromium.launch({ executablePath: opts.chromiumPath, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage();
    await page.route(`${HOST}/**`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: html }));
    const ids = contactIds(opts.navigations ?? 300);
    await page.goto(`${HOST}/lightning/r/Contact/${ids[0]}/view`);
    await page.addScriptTag({ content: script });
    const out = await page.evaluate(async (ids: string[]) => {
      const w = window as unknown as { __navigate(u: string): void; __geDetect(u: string): string; __countNodes(): number };
      const times: number[] = [];
      let last = '';
      const nodes = w.__countNodes();
      for (const id of ids) {
        w.__navigate(`https://acme.lightning.force.com/lightning/r/Contact/${id}/view`);
        // Let the page settle (style/layout happen before the content script's timer fires in real life).
        await new Promise((r) => setTimeout(r, 0));
        document.body.offsetHeight;
        const t0 = performance.now();
        last = w.__geDetect(location.href);
        times.push(performance.now() - t0);
        if (!last.includes(id.slice(0, 15))) throw new Error(`detection missed ${id}: ${last}`);
      }
      return { times, nodes, nodesAfter: w.__countNodes(), sample: last };
    }, ids);
    const times = out.times.slice(5); // first few: JIT warm-up
    const med = median(times);
    return {
      ...base,
      value: `${fmtMs(med)} median, p95 ${fmtMs(percentile(times, 95))} (${out.nodes} nodes incl. shadow DOM, ${times.length} navigations)`,
      pass: med <= 1,
      data: { medianMs: med, p95Ms: percentile(times, 95), maxMs: Math.max(...times), nodes: out.nodes, nodesAfter: out.nodesAfter, navigations: times.length, sample: out.sample },
    };
  } finally {
    await browser.close();
  }
}
