import './styles.css';
import { fetchModels } from './api';
import { byId } from './dom';
import { setUpGallery } from './gallery';
import {
  language,
  LANGUAGE_NAMES,
  LANGUAGES,
  onLanguageChange,
  preferredLanguage,
  setLanguage,
} from './i18n';
import { showError } from './notice';
import { readState, writeState, type View } from './page-state';
import { setUpSettings } from './settings';
import { setUpTabs } from './tabs';
import { setUpTraining } from './training';
import { setUpWalk } from './walk';

// The page, step by step: read the address, pick the language, learn the models, then set up
// each view. Each view keeps `state` current and calls save(), which rewrites the address, so
// the address bar always reproduces what is on screen.

const state = readState(location.search);
const save = () => history.replaceState(null, '', `?${writeState(state)}`);

setLanguage(state.lang ?? preferredLanguage(navigator.languages));
setUpLanguageSwitch();

const training = setUpTraining(state, save);
let showView = (view: View) => {
  training.setVisible(view === 'training');
};
const tabs = setUpTabs(byId('tabs'), (view) => {
  state.view = view;
  showView(view);
  save();
});
tabs.select(state.view);
showView(state.view);

try {
  const models = await fetchModels();
  const settings = setUpSettings(models, state, () => {
    void gallery.draw();
    walk.refresh();
  });
  const gallery = setUpGallery(state, settings, save);
  const walk = setUpWalk(state, settings, save);
  showView = (view) => {
    training.setVisible(view === 'training');
    walk.setVisible(view === 'walk');
  };
  showView(state.view);
  await gallery.draw();
} catch (error) {
  showError(error);
}

/** One button per language; the pressed one is the page's. Each name is in its own language. */
function setUpLanguageSwitch(): void {
  const group = byId('language');
  const buttons = LANGUAGES.map((code) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.lang = code;
    button.textContent = LANGUAGE_NAMES[code];
    button.addEventListener('click', () => {
      state.lang = code;
      setLanguage(code);
      save();
    });
    return button;
  });
  const mark = () => {
    for (const [i, button] of buttons.entries()) {
      button.setAttribute('aria-pressed', String(LANGUAGES[i] === language()));
    }
  };
  group.replaceChildren(...buttons);
  onLanguageChange(mark);
  mark();
}
