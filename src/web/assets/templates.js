/*
 * Templates page: the live preview, and the buttons that insert a variable at the cursor. Without
 * this script the "Update the preview" button does the same on the server, and variables are typed.
 */
/* global document, fetch, URLSearchParams, FormData, setTimeout, clearTimeout, Event */
'use strict';

(function livePreview() {
  const form = document.getElementById('template-form');
  if (!form || !form.dataset.preview) return;
  const endpoint = form.dataset.preview;
  const person = document.getElementById('person');
  const state = document.getElementById('preview-state');
  const mail = document.getElementById('mail-preview');
  const subject = document.getElementById('preview-subject');
  const text = document.getElementById('preview-text');
  const holder = document.getElementById('preview-frame-holder');
  // The parts this editor holds: subject and message, or subject, text and HTML.
  const PARTS = ['subject', 'body', 'text', 'html'].filter((part) => document.getElementById(part));
  const WAIT_MS = 250;

  let timer = null;
  let running = false;
  let again = false;

  function say(message) {
    if (state.textContent !== message) state.textContent = message;
  }

  function showError(error) {
    for (const part of PARTS) {
      const field = document.getElementById(part);
      const message = document.getElementById(part + '-error');
      if (error && error.part === part) {
        // textContent only: the problem quotes the template, which must never become markup.
        message.textContent = 'Line ' + error.line + ', column ' + error.column + ': ' + error.problem;
        message.hidden = false;
        field.setAttribute('aria-invalid', 'true');
      } else {
        message.textContent = '';
        message.hidden = true;
        field.removeAttribute('aria-invalid');
      }
    }
  }

  /** A new frame per preview, swapped in once loaded: no flicker, and no entry in the history. */
  function showFrame(url) {
    const next = document.createElement('iframe');
    next.className = 'mail-html loading';
    next.setAttribute('sandbox', '');
    next.setAttribute('referrerpolicy', 'no-referrer');
    next.title = 'The HTML part as the person will see it';
    next.addEventListener(
      'load',
      function swap() {
        next.classList.remove('loading');
        for (const frame of holder.querySelectorAll('iframe')) if (frame !== next) frame.remove();
      },
      { once: true },
    );
    next.src = url;
    holder.appendChild(next);
  }

  async function update() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(new FormData(form)),
        credentials: 'same-origin',
      });
      const type = response.headers.get('content-type') || '';
      if (!response.ok || !type.startsWith('application/json')) {
        say('The preview could not be updated (the session may have ended). Reload the page.');
        return;
      }
      const result = await response.json();
      if (result.ok) {
        showError(null);
        subject.textContent = result.subject;
        text.textContent = result.text;
        showFrame(result.frameUrl);
        mail.hidden = false;
        const parts = document.getElementById('parts-state');
        if (parts) {
          const now = result.partsMatch ? parts.dataset.match : parts.dataset.differ;
          if (parts.textContent !== now) parts.textContent = now;
        }
        say('Showing what the editor holds (not saved).');
      } else {
        showError(result.error);
        // The part by the name its field has on the page ("Message", "HTML part"), not its form name.
        const label = document.querySelector('label[for="' + result.error.part + '"]');
        const part = label ? label.textContent.trim().toLowerCase() : result.error.part;
        say('The ' + part + ' has a problem at line ' + result.error.line + ', column ' + result.error.column + '; the preview shows the last version without problems.');
      }
    } catch {
      say('The preview could not be updated: the dashboard did not answer.');
    } finally {
      running = false;
      if (again) {
        again = false;
        update();
      }
    }
  }

  function schedule(event) {
    if (event && event.target && event.target.id === 'note') return;
    clearTimeout(timer);
    timer = setTimeout(update, WAIT_MS);
  }

  form.addEventListener('input', schedule);
  if (person) person.addEventListener('change', schedule);
})();

(function insertButtons() {
  const bar = document.getElementById('insert-bar');
  if (!bar) return;
  const fields = Array.from(document.querySelectorAll('#template-form [data-part]'));
  if (fields.length === 0) return;
  // The field last used gets the variable; before any, the message (or the text part).
  let target = document.getElementById('body') || document.getElementById('text') || fields[0];
  for (const field of fields) field.addEventListener('focus', () => (target = field));

  bar.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-insert]');
    if (!button) return;
    const text = button.dataset.insert;
    target.focus();
    // insertText keeps the browser's undo history; where it is not supported, setRangeText does the same edit.
    const inserted = typeof document.execCommand === 'function' && document.execCommand('insertText', false, text);
    if (!inserted) {
      target.setRangeText(text, target.selectionStart, target.selectionEnd, 'end');
      target.dispatchEvent(new Event('input', { bubbles: true }));
    }
  });
  bar.hidden = false;
})();
