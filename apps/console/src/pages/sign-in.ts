import { ApiError, type Api, type Session } from '../api.js';
import { h } from '../dom.js';
import type { PageView } from '../page.js';
import { errorBox, field, successBox } from '../ui.js';

/**
 * Sign-in with an admin token (docs/admin.md "The admin token"). The token is sent once, to /admin/v1/session,
 * and forgotten: the form is cleared and the browser keeps only the HttpOnly session cookie.
 */
export async function signInPage(api: Api, query: URLSearchParams, signedIn: (session: Session) => void): Promise<PageView> {
  const token = h('input', { type: 'password', name: 'token', autocomplete: 'off', required: true, spellcheck: 'false' });
  const outcome = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit' }, 'Sign in');
  const form = h(
    'form',
    { class: 'sign-in', novalidate: true },
    field('Admin token', token, 'The token printed at the first start (or written to DATA_DIR/admin-token), or the ADMIN_TOKEN you set. A tenant’s SCIM token does not open the console.'),
    submit,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = token.value;
    token.value = '';
    if (value.trim() === '') {
      outcome.replaceChildren(errorBox(new ApiError(400, 'Enter an admin token.'), 'Cannot sign in'));
      token.focus();
      return;
    }
    submit.disabled = true;
    api
      .signIn(value)
      .then(signedIn)
      .catch((error: unknown) => {
        outcome.replaceChildren(errorBox(error, 'Cannot sign in'));
        token.focus();
      })
      .finally(() => (submit.disabled = false));
  });
  const ended = query.get('ended');
  return {
    title: 'Sign in',
    body: h(
      'div',
      null,
      query.has('signedOut') ? successBox(h('p', null, 'You are signed out.')) : null,
      ended ? h('div', { class: 'notice warn', role: 'alert' }, h('p', null, 'Your session has ended: ', ended)) : null,
      outcome,
      form,
    ),
  };
}
