/**
 * The frame of every dashboard page: the document head with the inline style sheet (carrying the
 * response's CSP nonce), a skip link, the top bar (navigation, who is signed in, the sign-out form)
 * and the main region; the tiny copy-button script is added only to pages that show something to
 * copy. Nothing is loaded from anywhere else. The style sheet holds from 360 px to wide screens:
 * long unbroken names and ids wrap (`overflow-wrap: anywhere`) instead of pushing anything out of
 * its card, and under 72rem the keys table turns into one labelled block per key, so that its
 * actions are never clipped.
 */
import { type Html, html, raw } from './html.js';

/** Who is signed in, as the top bar shows it. */
export interface OperatorView {
  readonly keyId: string;
  readonly kind: 'userAccount' | 'serviceAccount';
  readonly entityId: string;
  /** The one-time token of the sign-out form. */
  readonly signOutToken: string;
}

/** One page to render. */
export interface PageInput {
  readonly title: string;
  readonly nonce: string;
  /** The mount path, without a trailing slash (`''` at the root). */
  readonly base: string;
  readonly operator?: OperatorView | undefined;
  /** Which navigation entry is the current one. */
  readonly current?: 'apps' | 'service-accounts' | undefined;
  /** A one-time notice shown above the content (role="status"): what a change did. */
  readonly notice?: Html | string | undefined;
  /** A one-time error shown above the content (role="alert"): why a change was refused. */
  readonly error?: Html | string | undefined;
  readonly body: Html;
  /** Add the copy-button script. */
  readonly copy?: boolean | undefined;
}

const STYLE = raw(`
:root{--fg:#1f2328;--muted:#57606a;--line:#d0d7de;--bg:#f6f8fa;--accent:#0a58ca;--danger:#b42318;
--ok:#116329;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
font-size:16px;line-height:1.5;color:var(--fg);background:var(--bg)}
*{box-sizing:border-box}
body{margin:0;overflow-wrap:anywhere}
a{color:var(--accent)}
:focus-visible{outline:3px solid #111;outline-offset:2px;box-shadow:0 0 0 5px #ffd33d}
.skip{position:absolute;left:-9999px;top:.5rem;background:#fff;padding:.5rem 1rem;border:2px solid #111}
.skip:focus{left:.5rem}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
header.top{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 2rem;padding:.75rem 1.5rem;
background:#fff;border-bottom:1px solid var(--line)}
.brand{font-weight:700;font-size:1.125rem;letter-spacing:.01em}
.brand span{color:var(--muted);font-weight:400}
nav ul{display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;list-style:none;margin:0;padding:0}
nav a{display:inline-block;padding:.25rem 0;text-decoration:none;color:var(--fg);border-bottom:3px solid transparent}
nav a:hover{border-bottom-color:var(--line)}
nav a[aria-current=page]{font-weight:600;border-bottom-color:var(--accent)}
.who{margin-left:auto;display:flex;flex-wrap:wrap;align-items:center;gap:.5rem .75rem;color:var(--muted);font-size:.875rem;min-width:0}
main{max-width:72rem;margin:0 auto;padding:1.5rem}
main:focus{outline:none}
h1{font-size:1.5rem;margin:.25rem 0 1rem}
h2{font-size:1.125rem;margin:0 0 .75rem}
h3{font-size:1rem;margin:1rem 0 .5rem}
p{margin:.5rem 0}
.crumbs{font-size:.875rem;color:var(--muted);margin:0}
.crumbs ol{list-style:none;display:flex;flex-wrap:wrap;align-items:baseline;gap:.5rem;margin:0;padding:0}
.crumbs li{min-width:0}
.crumbs li+li::before{content:"/";margin-right:.5rem;color:var(--muted)}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:1rem 1.25rem;margin:0 0 1.25rem;min-width:0}
.tabs{margin:0 0 1rem;border-bottom:1px solid var(--line)}
.tabs a{padding:.5rem .25rem}
table{width:100%;border-collapse:collapse}
caption{text-align:left;font-weight:600;padding:0 0 .5rem}
th,td{text-align:left;padding:.5rem;border-bottom:1px solid var(--line);vertical-align:middle}
th{font-size:.8125rem;color:var(--muted);font-weight:600}
td time{white-space:nowrap}
table.keys{table-layout:fixed}
table.keys .c-id{width:16.5rem}
table.keys .c-when{width:9.5rem}
table.keys .c-state{width:7rem}
table.keys .c-actions{width:10.5rem}
.actions{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem .75rem}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.875em}
.state{display:inline-block;padding:0 .5rem;border-radius:999px;font-size:.8125rem;font-weight:600;border:1px solid;white-space:nowrap}
.state-active{color:var(--ok);background:#dafbe1;border-color:#4ac26b}
.state-revoked{color:var(--danger);background:#ffebe9;border-color:#ff8182}
.state-expired{color:#424a53;background:#eaeef2;border-color:#afb8c1}
.muted{color:var(--muted);font-size:.875rem}
button{font:inherit;font-size:.9375rem;padding:.375rem .875rem;border-radius:6px;border:1px solid #8c959f;
background:#fff;color:var(--fg);cursor:pointer;max-width:100%}
button:hover{background:#f3f4f6}
button.primary{background:var(--accent);border-color:var(--accent);color:#fff}
button.primary:hover{background:#084298}
button.danger{color:var(--danger);border-color:var(--danger)}
form.inline{display:inline}
a.cancel{margin-left:.75rem}
.fields{display:flex;flex-wrap:wrap;gap:.75rem 1rem;align-items:flex-end}
.field{display:flex;flex-direction:column;gap:.25rem;min-width:0;max-width:100%}
label{font-weight:600;font-size:.875rem}
.hint{font-weight:400;color:var(--muted);font-size:.8125rem}
input,select{font:inherit;padding:.375rem .5rem;border:1px solid #6e7781;border-radius:6px;background:#fff;width:14rem;max-width:100%}
.notice{background:#fff;border:1px solid var(--line);border-left:4px solid var(--accent);border-radius:6px;padding:.75rem 1rem;margin:0 0 1.25rem}
.notice.error{border-left-color:var(--danger)}
.warning{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:.75rem 1rem;margin:0 0 1rem}
.warning strong{display:block}
dl.secret{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.75rem 1rem;align-items:center;margin:0 0 1rem}
dt{font-weight:600}
dd{margin:0;display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;min-width:0}
.value{display:inline-block;padding:.375rem .625rem;background:#0d1117;color:#e6edf3;border-radius:6px;word-break:break-all;max-width:min(44rem,100%)}
pre{background:#0d1117;color:#e6edf3;border-radius:6px;padding:.75rem 1rem;white-space:pre-wrap;word-break:break-all;margin:.5rem 0}
.signin{max-width:26rem;margin:3rem auto}
.signin .field{margin-bottom:1rem}
.signin input{width:100%}
ul.plain{list-style:none;padding:0;margin:0}
ul.apps li{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:center;gap:.25rem 1rem;padding:.625rem 0;border-bottom:1px solid var(--line)}
ul.apps li:last-child{border-bottom:0}
@media (max-width:47.99rem){
header.top{padding:.75rem}
.who{margin-left:0}
main{padding:1rem .75rem}
.card{padding:.75rem}
dl.secret{grid-template-columns:minmax(0,1fr)}
}
@media (max-width:71.99rem){
table.keys,table.keys tbody,table.keys tr,table.keys td{display:block;width:100%}
table.keys thead,table.keys colgroup{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
table.keys tr{border:1px solid var(--line);border-radius:6px;padding:.25rem .75rem;margin:0 0 .75rem}
table.keys td{display:flex;align-items:center;gap:.25rem .75rem;border:0;padding:.375rem 0}
table.keys td::before{flex:0 0 min(7rem,30%);content:attr(data-label);content:attr(data-label) / "";font-size:.8125rem;font-weight:600;color:var(--muted)}
}
`);

/**
 * The copy buttons: `<button data-copy="ID">` copies the text of the element `ID` to the clipboard
 * and says so in the `#copy-status` live region; without clipboard access it selects the text.
 */
const COPY_SCRIPT = raw(`
// A secret shown once leaves the page as it is left, so Back (even from the back-forward cache)
// cannot show it again; a page restored from that cache is loaded anew, and then says so.
window.addEventListener('pagehide', function () {
  document.querySelectorAll('[data-once]').forEach(function (element) {
    element.textContent = 'Hidden: it was shown once.';
  });
});
window.addEventListener('pageshow', function (event) {
  if (event.persisted) location.reload();
});
document.addEventListener('click', function (event) {
  var button = event.target instanceof Element ? event.target.closest('button[data-copy]') : null;
  if (!button) return;
  var source = document.getElementById(button.getAttribute('data-copy'));
  var status = document.getElementById('copy-status');
  if (!source || !status) return;
  var what = button.getAttribute('data-what') || 'text';
  var select = function () {
    var range = document.createRange();
    range.selectNodeContents(source);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    status.textContent = 'Could not reach the clipboard: the ' + what + ' is selected, press Ctrl+C (or Cmd+C) to copy it.';
  };
  if (!navigator.clipboard || !window.isSecureContext) return select();
  navigator.clipboard.writeText(source.textContent).then(function () {
    status.textContent = 'Copied the ' + what + ' to the clipboard.';
  }, select);
});
`);

/** Renders a whole page. */
export function layout(input: PageInput): Html {
  const { base, operator, current, nonce } = input;
  const link = (href: string, label: string, name: PageInput['current']) =>
    html`<li><a href="${base}${href}"${current === name ? raw(' aria-current="page"') : ''}>${label}</a></li>`;
  const top = html`<header class="top">
  <span class="brand">keyscope <span>dashboard</span></span>
  ${
    operator === undefined
      ? ''
      : html`<nav aria-label="Main"><ul>
    ${link('/apps', 'Apps', 'apps')}
    ${operator.kind === 'userAccount' ? link('/service-accounts', 'Service accounts', 'service-accounts') : ''}
  </ul></nav>
  <div class="who">
    <span>Signed in with <code>${operator.keyId}</code> (${operator.kind === 'userAccount' ? 'user account' : 'service account'} <code>${operator.entityId}</code>)</span>
    <form class="inline" method="post" action="${base}/sign-out">
      <input type="hidden" name="_csrf" value="${operator.signOutToken}">
      <button type="submit">Sign out</button>
    </form>
  </div>`
  }
</header>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${input.title} · keyscope dashboard</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
${top}
<main id="main" tabindex="-1">
${input.error === undefined ? '' : html`<div class="notice error" role="alert" id="form-error"><p>${input.error}</p></div>`}
${input.notice === undefined ? '' : html`<p class="notice" role="status">${input.notice}</p>`}
${input.body}
</main>
${input.copy ? html`<script nonce="${nonce}">${COPY_SCRIPT}</script>` : ''}
</body>
</html>
`;
}
