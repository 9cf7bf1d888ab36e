import { fetchWalk, walkPngUrl, type Walk } from './api';
import { announce, byId, prefersReducedMotion } from './dom';
import { onLanguageChange, t } from './i18n';
import { clearError, showError } from './notice';
import { clamp, LIMITS, randomSeed, type PageState } from './page-state';
import type { Settings } from './settings';

/** Enlargement of the walk's frames: 280 pixels, shown as they come. */
const WALK_SCALE = 10;
/** Enlargement of the downloadable strip of all frames. */
const STRIP_SCALE = 4;

export interface WalkView {
  /** Fetches the walk again after the model or digit changed, if it has been looked at. */
  refresh(): void;
  /** Starts or stops the animation as the view is shown or hidden. */
  setVisible(visible: boolean): void;
}

/**
 * The latent walk: the frames between two seeds' digits, played back and forth at a speed
 * the person picks, paused and scrubbed with the frame slider.
 */
export function setUpWalk(state: PageState, settings: Settings, save: () => void): WalkView {
  const form = byId<HTMLFormElement>('walk-form');
  const from = byId<HTMLInputElement>('walk-from');
  const to = byId<HTMLInputElement>('walk-to');
  const steps = byId<HTMLInputElement>('walk-steps');
  const speed = byId<HTMLInputElement>('walk-speed');
  const frameSlider = byId<HTMLInputElement>('walk-frame');
  const play = byId<HTMLButtonElement>('walk-play');
  const image = byId<HTMLImageElement>('walk-image');
  const strip = byId('walk-strip');
  const status = byId('walk-status');

  let walk: Walk | null = null;
  let frame = 0;
  /** +1 or -1: the walk plays there and back, so the loop has no jump. */
  let direction = 1;
  let playing = !prefersReducedMotion();
  let visible = false;
  let timer: number | undefined;
  let latest = 0;
  let loaded = false;

  const fillInputs = () => {
    from.value = String(state.from);
    to.value = String(state.to);
    steps.value = String(state.steps);
    speed.value = String(state.fps);
    byId('walk-steps-value').textContent = steps.value;
    showSpeed();
  };

  const showSpeed = () => {
    byId('walk-speed-value').textContent = t('walkSpeedShort', { fps: state.fps });
    speed.setAttribute('aria-valuetext', t('walkSpeedValue', { fps: state.fps }));
  };

  const showFrame = (index: number) => {
    if (!walk) return;
    frame = index;
    image.src = walk.frames[index];
    const values = { frame: index + 1, frames: walk.frames.length, from: walk.from, to: walk.to };
    image.alt = t('walkAlt', values);
    frameSlider.value = String(index);
    frameSlider.setAttribute('aria-valuetext', t('walkFrameValue', values));
    strip.querySelector('.current')?.classList.remove('current');
    strip.children[index]?.classList.add('current');
    const download = byId<HTMLAnchorElement>('walk-download-frame');
    download.href = walk.frames[index];
    download.download = `mnist-gan-walk-${walk.from}-${walk.to}-frame-${index + 1}.png`;
  };

  const tick = () => {
    if (!walk) return;
    const last = walk.frames.length - 1;
    if (frame + direction > last || frame + direction < 0) direction = -direction;
    showFrame(Math.min(last, Math.max(0, frame + direction)));
  };

  /** Runs the timer only while playing and on show: a hidden walk costs nothing. */
  const schedule = () => {
    window.clearInterval(timer);
    timer = undefined;
    if (playing && visible && walk) timer = window.setInterval(tick, 1000 / state.fps);
    play.textContent = t(playing ? 'walkPause' : 'walkPlay');
  };

  const load = async () => {
    const request = ++latest;
    loaded = true;
    const drawing = settings.drawing();
    fillInputs();
    save();
    try {
      const answer = await fetchWalk(drawing, state.from, state.to, state.steps, WALK_SCALE);
      if (request !== latest) return;
      clearError();
      walk = answer;
      direction = 1;
      frameSlider.max = String(answer.frames.length - 1);
      strip.replaceChildren(
        ...answer.frames.map((src) => {
          const thumbnail = document.createElement('img');
          thumbnail.src = src;
          thumbnail.alt = '';
          return thumbnail;
        }),
      );
      const strips = byId<HTMLAnchorElement>('walk-download-strip');
      strips.href = walkPngUrl(drawing, answer.from, answer.to, answer.steps, STRIP_SCALE);
      strips.download = `mnist-gan-walk-${answer.from}-${answer.to}.png`;
      showFrame(0);
      schedule();
      const values = { from: answer.from, to: answer.to, frames: answer.frames.length };
      announce(status, t('walkAnnounce', values));
    } catch (error) {
      if (request === latest) showError(error);
    }
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const seedOf = (input: HTMLInputElement, fallback: number) => {
      const typed = Number(input.value);
      const valid = input.value.trim() !== '' && Number.isFinite(typed);
      return valid ? clamp(typed, LIMITS.seed) : fallback;
    };
    state.from = seedOf(from, state.from);
    state.to = seedOf(to, state.to);
    void load();
  });
  steps.addEventListener('input', () => (byId('walk-steps-value').textContent = steps.value));
  steps.addEventListener('change', () => {
    state.steps = clamp(Number(steps.value), LIMITS.steps);
    void load();
  });
  byId('walk-random').addEventListener('click', () => {
    state.from = randomSeed();
    state.to = randomSeed();
    void load();
  });
  play.addEventListener('click', () => {
    playing = !playing;
    schedule();
  });
  frameSlider.addEventListener('input', () => {
    // Scrubbing means looking at one frame: the animation stops there.
    playing = false;
    schedule();
    showFrame(Number(frameSlider.value));
  });
  speed.addEventListener('input', () => {
    state.fps = clamp(Number(speed.value), LIMITS.fps);
    showSpeed();
    schedule();
    save();
  });
  onLanguageChange(() => {
    fillInputs();
    schedule();
    showFrame(frame);
  });
  fillInputs();
  schedule();

  return {
    refresh: () => {
      if (loaded) void load();
    },
    setVisible(shown: boolean) {
      visible = shown;
      // The walk is fetched the first time it is looked at, not with the page.
      if (shown && !loaded) void load();
      schedule();
    },
  };
}
