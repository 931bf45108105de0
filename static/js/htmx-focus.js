// When htmx replaces the part of the page that held the keyboard focus (a row's Accept button, the
// triage form), the focused element is gone and focus would drop to the top of the page. Move it to
// the new content instead: its message if it has one, so screen readers read it, else the element.
// Swaps the person was not working in (the progress bar's polling, out-of-band badge counts, a heading
// updated beside the form it belongs to, marked data-no-focus) never take the focus.
(function () {
  let swapped = null; // {target, area} of a swap that replaced the focused element

  document.addEventListener("htmx:beforeSwap", function (event) {
    const focused = document.activeElement;
    const target = event.detail.target;
    swapped = focused && focused !== document.body && target.contains(focused)
      ? {target: target, area: target.parentElement || target} : null;
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    if (!swapped) return;
    const fresh = event.target;
    const where = swapped.target.isConnected ? swapped.target : swapped.area;
    if (!(fresh instanceof Element) || !where.contains(fresh)) return; // another element of this swap
    if (fresh.hasAttribute("data-no-focus")) return; // out of band, beside the part being worked in
    swapped = null;
    const focused = document.activeElement;
    if (focused && focused !== document.body && focused.isConnected) return; // htmx kept it (same id)
    const goal = fresh.querySelector("[role=alert], [role=status]") || fresh;
    if (!goal.hasAttribute("tabindex")) goal.setAttribute("tabindex", "-1");
    goal.focus();
  });
})();
