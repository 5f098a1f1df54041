// Small comforts for the people and awaiting-address pages. Everything works without this file:
// the buttons it shows are hidden until it runs, and the forms post as they are.
/* global document, navigator */
'use strict';

// "Copy the script": copies a textarea's text and says so in the status next to the button.
for (const button of document.querySelectorAll('button[data-copy]')) {
  const source = document.getElementById(button.dataset.copy);
  if (!source) continue;
  const status = button.parentElement && button.parentElement.querySelector('.copy-status');
  button.hidden = false;
  button.addEventListener('click', async () => {
    let copied = false;
    try {
      await navigator.clipboard.writeText(source.value);
      copied = true;
    } catch {
      // No clipboard access (plain http, or refused): select the text so Ctrl+C copies it.
      source.focus();
      source.select();
    }
    if (status) status.textContent = copied ? 'Copied.' : 'Selected: press Ctrl+C (or ⌘C) to copy.';
  });
}

// "Select everyone on this page" for the bulk accept and reject form.
for (const all of document.querySelectorAll('input[data-select-all]')) {
  const form = all.form || all.closest('form');
  if (!form) continue;
  const boxes = () => Array.from(form.querySelectorAll(`input[type="checkbox"][name="${all.dataset.selectAll}"]`));
  const reflect = () => {
    const ticked = boxes().filter((box) => box.checked).length;
    all.checked = ticked > 0 && ticked === boxes().length;
    all.indeterminate = ticked > 0 && ticked < boxes().length;
  };
  all.hidden = false;
  all.addEventListener('change', () => {
    for (const box of boxes()) box.checked = all.checked;
  });
  form.addEventListener('change', (event) => {
    if (event.target !== all) reflect();
  });
  reflect();
}
