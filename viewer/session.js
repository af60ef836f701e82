// The session: who the server takes the reader for (`/api/me`), the sign-in control in the header
// (shown only when the server has access control) and the sign-in dialog.
//
// Signing in keeps the token in a cookie (api.js) and asks `/api/me` whether the server accepts it;
// the views then render again, since what they may show has changed. A token the server later
// rejects (revoked, or the configuration changed) is forgotten by api.js, which tells this module
// to ask the reader again.

import { ApiError, get, onUnauthorized, setToken, token } from './api.js';
import { h } from './dom.js';
import { t } from './i18n.js';

const box = document.getElementById('daftar-session');
const who = document.getElementById('daftar-session-who');
const signInButton = document.getElementById('daftar-sign-in');
const signOutButton = document.getElementById('daftar-sign-out');

const ANONYMOUS = { access_control: false, name: null, groups: [], sees_all: false };

let me = ANONYMOUS;
let known = null;
/** The cookie `me` was learnt with: another tab may change it. */
let learnt = token();
let changed = () => {};
let dialog = null;

/** Asks the server who the reader is and shows it; `onChange` renders the page again. */
export function init(onChange) {
  changed = onChange;
  onUnauthorized(() => {
    me = { ...me, access_control: true, name: null, groups: [], sees_all: false };
    learnt = token();
    show();
    signIn('session_expired');
  });
  signInButton.addEventListener('click', () => signIn());
  signOutButton.addEventListener('click', signOut);
  // Signing in or out in another tab changes the cookie this tab sends: catch up on coming back.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && token() !== learnt && !dialog) ask().then(changed);
  });
  ask();
}

function ask() {
  learnt = token();
  known = get('/api/me').catch(() => ANONYMOUS).then((answer) => {
    me = { ...ANONYMOUS, ...answer };
    learnt = token();
    show();
    return me;
  });
  return known;
}

/** The reader as the server sees them, once known: `{access_control, name, groups, sees_all}`. */
export function whoami() {
  return known ? known.then(() => me) : Promise.resolve(me);
}

function show() {
  const signedIn = Boolean(me.name);
  box.hidden = !me.access_control;
  who.textContent = me.name || '';
  who.title = me.name || '';
  who.parentElement.hidden = !signedIn;
  signInButton.hidden = signedIn;
  signOutButton.hidden = !signedIn;
}

function signOut() {
  setToken(null);
  learnt = null;
  me = { ...me, name: null, groups: [], sees_all: false };
  show();
  signInButton.focus();
  changed();
}

/** Opens the sign-in dialog, with a message (an i18n key) saying why when it was not asked for. */
export function signIn(why) {
  if (dialog) {
    if (why) say(why);
    return;
  }
  const back = document.activeElement;
  const input = h('input', {
    id: 'daftar-token', name: 'token', type: 'password', dir: 'ltr', autocomplete: 'off',
    autocapitalize: 'off', spellcheck: 'false', 'aria-describedby': 'daftar-sign-in-help daftar-sign-in-message',
  });
  const submit = h('button', { type: 'submit', class: 'button primary' }, t('sign_in'));
  const form = h('form', { class: 'sign-in-form', novalidate: true },
    h('h2', { id: 'daftar-sign-in-title' }, t('sign_in_title')),
    h('p', { id: 'daftar-sign-in-help', class: 'sign-in-help' }, t('sign_in_help')),
    h('p', { id: 'daftar-sign-in-message', class: 'sign-in-message', role: 'alert' }),
    h('label', { for: 'daftar-token' }, t('token_label')),
    input,
    h('div', { class: 'sign-in-actions' },
      submit,
      h('button', { type: 'button', class: 'button', on: { click: () => dialog.close() } }, t('cancel'))));
  dialog = h('dialog', { class: 'sign-in', 'aria-labelledby': 'daftar-sign-in-title' }, form);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!(await check(input, submit))) return;
    form.closest('dialog').close('signed-in');
    changed();
  });
  dialog.addEventListener('close', (e) => {
    e.target.remove();
    dialog = null;
    // Signed in: to the control that now stands for the session (the page behind re-renders).
    // Cancelled: back where the reader was, if that is still there.
    const there = back?.isConnected && back !== document.body && !back.closest('[hidden]');
    const target = e.target.returnValue === 'signed-in' || !there ? (me.name ? signOutButton : signInButton) : back;
    target.focus();
  });
  document.body.append(dialog);
  dialog.showModal();
  input.focus();
  if (why) say(why);
}

function say(key, vars) {
  const message = dialog?.querySelector('.sign-in-message');
  if (message) message.textContent = key ? t(key, vars) : '';
}

/** Tries the typed token: kept if `/api/me` accepts it (true), forgotten and reported if not. */
async function check(input, submit) {
  const value = input.value.trim();
  if (!value) {
    say('token_empty');
    input.focus();
    return false;
  }
  say(null);
  submit.disabled = true;
  submit.textContent = t('checking');
  setToken(value);
  let answer = null;
  let failure = null;
  try {
    answer = await get('/api/me', {}, undefined, { quiet: true });
  } catch (e) {
    failure = e;
  }
  submit.disabled = false;
  submit.textContent = t('sign_in');
  if (!failure && answer?.name) {
    me = { ...ANONYMOUS, ...answer };
    learnt = token();
    show();
    return true;
  }
  setToken(null);
  if (failure instanceof ApiError && failure.status === 0) say('sign_in_network');
  else if (failure && !(failure instanceof ApiError && failure.status === 401)) say('sign_in_failed', { message: failure.message });
  else say('token_rejected');
  input.select();
  input.focus();
  return false;
}
