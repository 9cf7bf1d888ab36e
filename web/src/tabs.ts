import { VIEWS, type View } from './page-state';

/**
 * The view switcher, as the WAI-ARIA tabs pattern has it: one tab in the Tab order (the
 * selected one), arrow keys, Home and End move between tabs and show each at once.
 */
export interface Tabs {
  select(view: View): void;
}

export function setUpTabs(tablist: HTMLElement, onSelect: (view: View) => void): Tabs {
  const tabs = [...tablist.querySelectorAll<HTMLButtonElement>('[role="tab"]')];
  const viewOf = (tab: HTMLButtonElement) => tab.dataset.view as View;

  const select = (view: View) => {
    for (const tab of tabs) {
      const selected = viewOf(tab) === view;
      tab.setAttribute('aria-selected', String(selected));
      tab.tabIndex = selected ? 0 : -1;
      const panel = document.getElementById(tab.getAttribute('aria-controls')!)!;
      panel.hidden = !selected;
    }
    document.body.dataset.view = view;
  };

  const choose = (tab: HTMLButtonElement) => {
    select(viewOf(tab));
    onSelect(viewOf(tab));
  };

  tablist.addEventListener('click', (event) => {
    const tab = (event.target as Element).closest<HTMLButtonElement>('[role="tab"]');
    if (tab) choose(tab);
  });
  tablist.addEventListener('keydown', (event) => {
    const index = tabs.indexOf(document.activeElement as HTMLButtonElement);
    if (index < 0) return;
    const moves: Record<string, number> = {
      ArrowRight: index + 1,
      ArrowLeft: index - 1,
      Home: 0,
      End: tabs.length - 1,
    };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const next = tabs[(moves[event.key] + tabs.length) % tabs.length];
    next.focus();
    choose(next);
  });

  if (tabs.some((tab) => !VIEWS.includes(viewOf(tab)))) {
    throw new Error('every tab needs a data-view naming one of the page views');
  }
  return { select };
}
