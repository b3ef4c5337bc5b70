/**
 * Keeps Tab and Shift+Tab inside a modal (WAI-ARIA APG, Dialog (Modal) pattern: "Tab: moves focus
 * to the next tabbable element inside the dialog; at the last one, to the first"). A Svelte
 * action: `<div use:trapFocus>`.
 */
const tabbable =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), ' +
  'textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function trapFocus(node: HTMLElement) {
  function onKeydown(event: KeyboardEvent) {
    if (event.key !== 'Tab') return;
    const items = [...node.querySelectorAll<HTMLElement>(tabbable)].filter(
      (item) => item.offsetParent !== null || item === document.activeElement,
    );
    if (items.length === 0) {
      event.preventDefault();
      return;
    }
    const first = items[0]!;
    const last = items[items.length - 1]!;
    const active = document.activeElement;
    if (event.shiftKey && (active === first || !node.contains(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !node.contains(active))) {
      event.preventDefault();
      first.focus();
    }
  }
  node.addEventListener('keydown', onKeydown);
  return {
    destroy() {
      node.removeEventListener('keydown', onKeydown);
    },
  };
}
