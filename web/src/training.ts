import { fetchRuns, runEventsUrl, samplePngUrl, type Run } from './api';
import { announce, byId } from './dom';
import { formatNumber, language, onLanguageChange, t } from './i18n';
import { createLossChart } from './loss-chart';
import { clearError, showError } from './notice';
import type { PageState } from './page-state';

export interface TrainingView {
  /** Opens the run's live stream while the view is on show and closes it when it is not. */
  setVisible(visible: boolean): void;
}

/**
 * The training view: a run's losses as a chart (and a table), and the sample grid drawn after
 * each epoch, scrubbed with a slider. While it is on show, the server pushes the run again
 * after every epoch (server-sent events), so a run in progress grows on the page.
 */
export function setUpTraining(state: PageState, save: () => void): TrainingView {
  const select = byId<HTMLSelectElement>('run');
  const slider = byId<HTMLInputElement>('sample-epoch');
  const image = byId<HTMLImageElement>('sample-image');
  const strip = byId('sample-strip');
  const status = byId('training-status');
  const chart = createLossChart(byId('loss-chart'));

  let run: Run | null = null;
  let events: EventSource | null = null;
  let visible = false;
  let listed = false;
  /** The epoch on show; null follows the newest one as epochs arrive. */
  let chosen: number | null = null;

  const connect = () => {
    events?.close();
    events = null;
    if (!visible || state.run === null) return;
    const source = new EventSource(runEventsUrl(state.run));
    source.addEventListener('run', (event) => {
      setLive(true);
      show(JSON.parse((event as MessageEvent<string>).data) as Run);
    });
    source.addEventListener('gone', () => {
      source.close();
      listed = false;
      void list();
    });
    // EventSource reconnects by itself; the page only says that it is trying.
    source.addEventListener('error', () => setLive(false));
    events = source;
  };

  const setLive = (live: boolean) => {
    const badge = byId('run-live');
    badge.textContent = t(live ? 'trainingLive' : 'trainingReconnecting');
    badge.classList.toggle('offline', !live);
  };

  const list = async () => {
    try {
      const runs = await fetchRuns();
      listed = true;
      clearError();
      byId('no-runs').hidden = runs.length > 0;
      byId('run-view').hidden = runs.length === 0;
      if (runs.length === 0) return;
      select.replaceChildren(...runs.map((r) => new Option(r.name, r.name)));
      if (!runs.some((r) => r.name === state.run)) state.run = runs[0].name;
      select.value = state.run!;
      save();
      connect();
    } catch (error) {
      showError(error);
    }
  };

  const show = (next: Run) => {
    const previous = run;
    run = next;
    if (previous?.name === next.name && next.epochs > previous.epochs) {
      announce(status, t('trainingNewEpoch', { epoch: next.epochs }));
    }
    renderStrip(next, previous);
    renderSummary();
    renderTable(byId('loss-table'), next);
    chart.show(next.losses);
    byId('loss-chart').setAttribute('aria-label', t('chartLabel', { epochs: next.epochs }));
    showEpoch();
  };

  /** Thumbnails of every grid, added to rather than rebuilt, so images load only once. */
  const renderStrip = (next: Run, previous: Run | null) => {
    if (previous?.name !== next.name) strip.replaceChildren();
    for (const epoch of next.samples.slice(strip.children.length)) {
      const thumbnail = document.createElement('img');
      thumbnail.src = samplePngUrl(next.name, epoch);
      thumbnail.alt = '';
      thumbnail.loading = 'lazy';
      thumbnail.dataset.epoch = String(epoch);
      strip.append(thumbnail);
    }
    slider.max = String(Math.max(0, next.samples.length - 1));
    byId('no-samples').hidden = next.samples.length > 0;
    image.hidden = next.samples.length === 0;
  };

  const renderSummary = () => {
    if (!run) return;
    const when = relativeTime(new Date(run.updated));
    byId('run-summary').textContent = t('trainingSummary', { epochs: run.epochs, when });
  };

  /** Shows the chosen epoch's grid, or the newest when none was chosen. */
  const showEpoch = () => {
    if (!run || run.samples.length === 0) return chart.mark(null);
    const index = chosen === null ? -1 : run.samples.indexOf(chosen);
    const at = index >= 0 ? index : run.samples.length - 1;
    const epoch = run.samples[at];
    const last = run.samples[run.samples.length - 1];
    slider.value = String(at);
    slider.setAttribute('aria-valuetext', t('samplesEpochValue', { epoch, last }));
    byId('sample-epoch-value').textContent = t('samplesEpochValue', { epoch, last });
    image.src = samplePngUrl(run.name, epoch);
    image.alt = t('sampleAlt', { epoch, run: run.name });
    const download = byId<HTMLAnchorElement>('download-sample');
    download.href = image.src;
    download.download = `mnist-gan-${run.name}-epoch-${epoch}.png`;
    strip.querySelector('.current')?.classList.remove('current');
    const thumbnail = strip.children[at] as HTMLElement | undefined;
    thumbnail?.classList.add('current');
    thumbnail?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    chart.mark(epoch);
  };

  select.addEventListener('change', () => {
    state.run = select.value;
    chosen = null;
    save();
    connect();
  });
  slider.addEventListener('input', () => {
    if (!run) return;
    const index = Number(slider.value);
    // Moving to the newest grid means "keep showing the newest" as training goes on.
    chosen = index === run.samples.length - 1 ? null : run.samples[index];
    showEpoch();
  });
  strip.addEventListener('click', (event) => {
    const epoch = (event.target as HTMLElement).dataset.epoch;
    if (!run || epoch === undefined) return;
    chosen = Number(epoch) === run.samples.at(-1) ? null : Number(epoch);
    showEpoch();
  });
  onLanguageChange(() => {
    if (!run) return;
    chart.relabel();
    renderSummary();
    renderTable(byId('loss-table'), run);
    byId('loss-chart').setAttribute('aria-label', t('chartLabel', { epochs: run.epochs }));
    if (events) setLive(events.readyState === EventSource.OPEN);
    showEpoch();
  });
  // A page being left closes its stream itself rather than have the browser cut it.
  addEventListener('pagehide', () => events?.close());
  setInterval(() => visible && renderSummary(), 15_000);

  return {
    setVisible(shown) {
      visible = shown;
      if (!shown) {
        events?.close();
        events = null;
      } else if (!listed) void list();
      else connect();
    },
  };
}

/** The losses of every epoch as a table: the chart's numbers for anyone who cannot see it. */
function renderTable(table: HTMLElement, run: Run): void {
  const head = document.createElement('thead');
  const header = document.createElement('tr');
  for (const key of ['chartEpoch', 'chartDiscriminator', 'chartGenerator', 'tableSeconds']) {
    const cell = document.createElement('th');
    cell.scope = 'col';
    cell.textContent = t(key as Parameters<typeof t>[0]);
    header.append(cell);
  }
  head.append(header);
  const body = document.createElement('tbody');
  for (const row of run.losses) {
    const line = document.createElement('tr');
    const values = [
      formatNumber(row.epoch),
      formatNumber(row.discriminator, { maximumFractionDigits: 4 }),
      formatNumber(row.generator, { maximumFractionDigits: 4 }),
      formatNumber(row.seconds, { maximumFractionDigits: 1 }),
    ];
    for (const value of values) {
      const cell = document.createElement('td');
      cell.textContent = value;
      line.append(cell);
    }
    body.append(line);
  }
  table.replaceChildren(head, body);
}

/** "3 minutes ago" in the page's language. */
function relativeTime(date: Date): string {
  const seconds = Math.round((date.getTime() - Date.now()) / 1000);
  const format = new Intl.RelativeTimeFormat(language(), { numeric: 'auto' });
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
  ];
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
  }
  return format.format(seconds, 'second');
}
