// The settings page: fields that belong to an option (the reminder's delay, the quiet hours) are
// disabled while the option is off, so they cannot be edited by mistake and screen readers say so.
// Without this file the page works the same: the stylesheet dims those fields, and the server
// ignores them while their option is off.
/* global document */
'use strict';

for (const group of document.querySelectorAll('[data-enabled-by]')) {
  const [name, value] = group.dataset.enabledBy.split('=');
  const form = group.closest('form');
  if (!form || !name) continue;
  const controls = form.querySelectorAll(`input[name="${name}"]`);
  const fields = group.querySelectorAll('input, select, textarea');
  const on = () => Array.from(controls).some((control) => control.checked && control.value === value);
  const reflect = () => {
    const enabled = on();
    for (const field of fields) field.disabled = !enabled;
  };
  for (const control of controls) control.addEventListener('change', reflect);
  // Disabled fields are not posted; enabled again on the way out, what was typed is kept if the
  // form comes back with a problem elsewhere (the server ignores them while the option is off).
  form.addEventListener('submit', () => {
    for (const field of fields) field.disabled = false;
  });
  reflect();
}
