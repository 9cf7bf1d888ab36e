/** The element with `id`; a missing one is a mistake in index.html, so it fails loudly. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`index.html has no element with id "${id}"`);
  return element as T;
}

/**
 * Says `text` through a live region. The region is emptied first so that the same sentence
 * twice in a row is still read out.
 */
export function announce(region: HTMLElement, text: string): void {
  region.textContent = '';
  requestAnimationFrame(() => (region.textContent = text));
}

/** True when the person has asked their system for less motion: nothing then plays by itself. */
export function prefersReducedMotion(): boolean {
  return matchMedia('(prefers-reduced-motion: reduce)').matches;
}
