// The republish dialog: open it, copy the snippet. The page works without this script.
document.addEventListener("click", (event) => {
  const open = event.target.closest("[data-dialog]");
  if (open) {
    document.getElementById(open.dataset.dialog).showModal();
    return;
  }
  const copy = event.target.closest("button.copy");
  if (copy) {
    const box = document.getElementById(copy.dataset.target);
    box.select();
    navigator.clipboard?.writeText(box.value).then(() => { copy.textContent = "Copied"; });
  }
});

// Buttons that act at once (revoke a key, send a notice) ask first.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  const question = button?.dataset.confirm || event.target.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
