import type { Drawing, ModelInfo, ModelList } from './api';
import { byId } from './dom';
import { formatNumber, onLanguageChange, t } from './i18n';
import type { PageState } from './page-state';

/**
 * The settings the gallery and the walk share: which model draws (with the figures from its
 * manifest, so people can compare models) and, for a conditional model, which digit.
 */
export interface Settings {
  drawing(): Drawing;
}

export function setUpSettings(list: ModelList, state: PageState, onChange: () => void): Settings {
  const select = byId<HTMLSelectElement>('model');
  const choices = byId('digit-choices');
  const byName = new Map(list.models.map((model) => [model.name, model]));
  const current = (): ModelInfo => byName.get(state.model ?? '') ?? byName.get(list.default)!;

  // An address naming a model this server does not have falls back to the default one.
  state.model = current().name;
  for (const model of list.models) select.add(new Option(model.name, model.name));
  select.value = state.model;

  const render = () => {
    const model = current();
    if (!model.conditional) state.digit = null;
    if (state.digit !== null && state.digit >= model.classes) state.digit = null;
    byId('model-kind').textContent = t(
      model.conditional ? 'modelConditional' : 'modelUnconditional',
    );
    renderFigures(byId('figures'), model);
    renderDigitChoices(choices, model, state.digit);
    byId<HTMLFieldSetElement>('digits').disabled = !model.conditional;
    byId('digit-disabled').hidden = model.conditional;
  };

  select.addEventListener('change', () => {
    state.model = select.value;
    render();
    onChange();
  });
  choices.addEventListener('change', (event) => {
    const value = (event.target as HTMLInputElement).value;
    state.digit = value === 'any' ? null : Number(value);
    onChange();
  });
  onLanguageChange(render);
  render();

  return { drawing: () => ({ model: current().name, digit: state.digit }) };
}

/** Epochs, parameters and the evaluation's figures, each "not measured" when missing. */
function renderFigures(list: HTMLElement, model: ModelInfo): void {
  const { manifest } = model;
  const evaluation = manifest.evaluation;
  const epochs = manifest.training?.epochs;
  const rows: [string, string, string?][] = [
    [
      t('figureEpochs'),
      epochs !== undefined
        ? formatNumber(epochs)
        : t(manifest.imported ? 'figureImported' : 'figureUntrained'),
    ],
    [
      t('figureParameters'),
      manifest.parameters === undefined ? '—' : formatNumber(manifest.parameters),
    ],
    [
      t('figureFd'),
      evaluation?.frechetDistance === undefined
        ? t('figureNotMeasured')
        : formatNumber(evaluation.frechetDistance, { maximumFractionDigits: 2 }),
      t('figureFdTitle'),
    ],
  ];
  // Accuracy asks whether the digit drawn is the one asked for: only conditional models are.
  if (model.conditional) {
    const accuracy = evaluation?.accuracy?.overall;
    rows.push([
      t('figureAccuracy'),
      accuracy === undefined
        ? t('figureNotMeasured')
        : formatNumber(accuracy, { style: 'percent', maximumFractionDigits: 1 }),
      t('figureAccuracyTitle'),
    ]);
  }
  list.replaceChildren(
    ...rows.map(([name, value, explanation]) => {
      const row = document.createElement('div');
      const term = document.createElement('dt');
      const detail = document.createElement('dd');
      term.textContent = name;
      detail.textContent = value;
      if (explanation) term.title = explanation;
      row.append(term, detail);
      return row;
    }),
  );
}

/** "Any" and one chip per digit class, as radio buttons: arrow keys move between them. */
function renderDigitChoices(container: HTMLElement, model: ModelInfo, digit: number | null) {
  const classes = model.conditional ? model.classes : 10;
  const values = ['any', ...Array.from({ length: classes }, (_, d) => String(d))];
  container.replaceChildren(
    ...values.map((value) => {
      const label = document.createElement('label');
      label.className = value === 'any' ? 'chip wide' : 'chip';
      const input = document.createElement('input');
      input.type = 'radio';
      input.name = 'digit';
      input.value = value;
      input.checked = value === (digit === null ? 'any' : String(digit));
      const text = document.createElement('span');
      text.textContent = value === 'any' ? t('digitAny') : value;
      label.append(input, text);
      return label;
    }),
  );
}
