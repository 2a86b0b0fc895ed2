import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';

/**
 * The few pages a person sees during an LTI launch. They are framed by the LMS, so they allow
 * any frame ancestor, run only our own script (/lti/storage.js) and carry their data in
 * attributes, never in inline script.
 */
export const LTI_PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; frame-ancestors *; base-uri 'none'",
  'referrer-policy': 'no-referrer',
};

/** Sends a page the LMS may frame: the API's frame-ancestors 'none' and X-Frame-Options do not apply. */
export function sendLtiPage(reply: FastifyReply, status: number, body: string): void {
  void reply.removeHeader('x-frame-options');
  void reply.headers(LTI_PAGE_HEADERS).code(status).send(body);
}

export interface PageOptions {
  title: string;
  message: string;
  code?: string;
  requestId?: string;
  /** Offer to start the launch again in a top-level window (first-party cookies). */
  newWindowUrl?: string;
}

export function messagePage(options: PageOptions): string {
  const action = options.newWindowUrl
    ? `<p><a href="${attr(options.newWindowUrl)}" target="_blank" rel="noopener">Open DreamSeed in a new window</a></p>`
    : '';
  const reference = options.code
    ? `<p class="ref">Error ${html(options.code)}${options.requestId ? ` · reference ${html(options.requestId)}` : ''}</p>`
    : '';
  return page(
    options.title,
    `<h1>${html(options.title)}</h1><p>${html(options.message)}</p>${action}${reference}`,
  );
}

/** The end of a Dynamic Registration: tell the LMS's registration window to close us. */
export function registrationDonePage(message: string): string {
  return page(
    'DreamSeed registered',
    `<main id="lti" data-step="close"><h1>DreamSeed is registered</h1><p>${html(message)}</p></main>`,
  );
}

/** Login with platform storage: keep the browser binding in the LMS's frame, then go on. */
export function storeStatePage(data: {
  platformOrigin: string;
  target: string;
  key: string;
  value: string;
  next: string;
}): string {
  return page(
    'Opening DreamSeed',
    `<main id="lti" data-step="store" data-origin="${attr(data.platformOrigin)}" data-target="${attr(data.target)}" data-key="${attr(data.key)}" data-value="${attr(data.value)}" data-next="${attr(data.next)}"><p>Opening DreamSeed…</p></main>`,
  );
}

/** Launch without the state cookie: read the binding back from the LMS's frame and finish. */
export function readStatePage(data: {
  platformOrigin: string;
  target: string;
  key: string;
  action: string;
  idToken: string;
  state: string;
  newWindowUrl: string | undefined;
}): string {
  const fallback = data.newWindowUrl
    ? `<p id="fallback" hidden>Your browser blocked this launch inside the LMS. <a href="${attr(data.newWindowUrl)}" target="_blank" rel="noopener">Open DreamSeed in a new window</a></p>`
    : `<p id="fallback" hidden>Your browser blocked this launch inside the LMS. Open the course in a new window and try again.</p>`;
  return page(
    'Opening DreamSeed',
    `<main id="lti" data-step="read" data-origin="${attr(data.platformOrigin)}" data-target="${attr(data.target)}" data-key="${attr(data.key)}">
<form id="finish" method="post" action="${attr(data.action)}">
<input type="hidden" name="id_token" value="${attr(data.idToken)}">
<input type="hidden" name="state" value="${attr(data.state)}">
<input type="hidden" name="lti_storage_binding" value="">
</form><p>Opening DreamSeed…</p>${fallback}</main>`,
  );
}

// The one inline script of the deep-linking answer, allowed by its hash (no nonce to carry).
const AUTO_SUBMIT = `document.getElementById('dl-return').submit();`;
const AUTO_SUBMIT_HASH = createHash('sha256').update(AUTO_SUBMIT).digest('base64');

/** The deep-linking answer's headers: only its own auto-submit script runs. */
export const DEEP_LINK_PAGE_HEADERS = {
  ...LTI_PAGE_HEADERS,
  'content-security-policy': `default-src 'none'; script-src 'sha256-${AUTO_SUBMIT_HASH}'; style-src 'unsafe-inline'; frame-ancestors *; base-uri 'none'`,
};

/**
 * The end of deep linking: the browser posts the signed LtiDeepLinkingResponse to the LMS's
 * return URL (field `JWT`), by itself, or by the button when scripts are off.
 */
export function deepLinkReturnPage(data: { action: string; jwt: string }): string {
  return page(
    'Returning to your LMS',
    `<form id="dl-return" method="post" action="${attr(data.action)}">
<input type="hidden" name="JWT" value="${attr(data.jwt)}">
<p>Returning to your LMS…</p><button type="submit">Continue</button></form>`,
    `<script>${AUTO_SUBMIT}</script>`,
    'body',
  );
}

function page(
  title: string,
  body: string,
  script = '<script src="/lti/storage.js" defer></script>',
  scriptAt: 'head' | 'body' = 'head',
): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${html(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:36rem;padding:0 1rem;color:#222}.ref{color:#666;font-size:.85rem}</style>
${scriptAt === 'head' ? script : ''}</head><body>${body}${scriptAt === 'body' ? script : ''}</body></html>`;
}

function html(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const attr = html;

/**
 * 1EdTech Platform Storage (client side): lti.put_data / lti.get_data posted to the frame the
 * LMS named (lti_storage_target), only to the LMS's origin, answers accepted only from it.
 */
export const STORAGE_SCRIPT = `(() => {
  const root = document.getElementById('lti');
  if (!root) return;
  const origin = root.dataset.origin;
  const name = root.dataset.target;
  const frame = name === '_parent' ? window.parent : (window.parent.frames[name] || window.parent);
  const id = Math.random().toString(36).slice(2);
  const send = (message) => frame.postMessage({ ...message, message_id: id }, origin);
  const onAnswer = (subject, handle) => window.addEventListener('message', (event) => {
    if (event.origin !== origin || !event.data || event.data.message_id !== id) return;
    if (event.data.subject === subject) handle(event.data);
  });
  if (root.dataset.step === 'close') {
    (window.opener || window.parent).postMessage({ subject: 'org.imsglobal.lti.close' }, '*');
    return;
  }
  if (root.dataset.step === 'store') {
    const next = () => window.location.replace(root.dataset.next);
    onAnswer('lti.put_data.response', next);
    send({ subject: 'lti.put_data', key: root.dataset.key, value: root.dataset.value });
    setTimeout(next, 2000);
  } else if (root.dataset.step === 'read') {
    const form = document.getElementById('finish');
    const fail = () => { document.getElementById('fallback').hidden = false; };
    const timer = setTimeout(fail, 3000);
    onAnswer('lti.get_data.response', (answer) => {
      clearTimeout(timer);
      if (typeof answer.value !== 'string' || answer.error) return fail();
      form.elements.lti_storage_binding.value = answer.value;
      form.submit();
    });
    send({ subject: 'lti.get_data', key: root.dataset.key });
  }
})();
`;
