// Canvas charts (uPlot) take their colours from the theme when they are built, so a theme
// switched while one is on screen (the header's button, Account) must rebuild it; otherwise
// a chart built a moment before the switch keeps the light grid on the dark page.
export function onThemeChange(fn: () => void): () => void {
  const root = document.documentElement;
  const mo = new MutationObserver((records) => {
    if (records.some((r) => r.oldValue !== root.dataset.theme)) fn();
  });
  mo.observe(root, { attributes: true, attributeFilter: ['data-theme'], attributeOldValue: true });
  return () => mo.disconnect();
}
