// Shows the lägesbild's print button (it needs JavaScript) and prints the page with the A4 print stylesheet.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
