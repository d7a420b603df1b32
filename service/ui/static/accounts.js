/* The user administration page: forms marked data-confirm ask before they are sent. */
"use strict";
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form instanceof HTMLFormElement ? form.dataset.confirm : null;
  if (question && !window.confirm(question)) event.preventDefault();
});
