import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { EpochLosses } from './api';
import { t } from './i18n';

/**
 * The training view's chart: discriminator and generator loss per epoch (uPlot, drawn on a
 * canvas), with a vertical line at the epoch whose samples are on show.
 */
export interface LossChart {
  show(losses: EpochLosses[]): void;
  /** Marks `epoch` with a vertical line; null removes the mark. */
  mark(epoch: number | null): void;
  /** Builds the chart again, for new legend labels after a language change. */
  relabel(): void;
}

const HEIGHT = 260;

export function createLossChart(container: HTMLElement): LossChart {
  let losses: EpochLosses[] = [];
  let marked: number | null = null;
  let plot: uPlot | null = null;

  const data = (): uPlot.AlignedData => [
    losses.map((row) => row.epoch),
    losses.map((row) => row.discriminator),
    losses.map((row) => row.generator),
  ];

  const build = () => {
    plot?.destroy();
    // The colours come from the style sheet, so the chart follows the light or dark theme.
    const style = getComputedStyle(container);
    const color = (name: string) => style.getPropertyValue(name).trim();
    const axis = {
      stroke: color('--text-muted'),
      grid: { stroke: color('--border'), width: 1 },
      ticks: { stroke: color('--border'), width: 1 },
    };
    plot = new uPlot(
      {
        width: Math.max(container.clientWidth, 200),
        height: HEIGHT,
        scales: { x: { time: false } },
        series: [
          { label: t('chartEpoch') },
          { label: t('chartDiscriminator'), stroke: color('--chart-discriminator'), width: 2 },
          { label: t('chartGenerator'), stroke: color('--chart-generator'), width: 2 },
        ],
        axes: [
          // Epochs are whole numbers: ticks only at integer steps.
          { ...axis, label: t('chartEpoch'), incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500] },
          { ...axis, size: 48 },
        ],
        cursor: { drag: { x: false, y: false } },
        hooks: { draw: [(chart) => drawMark(chart, marked, color('--accent'))] },
      },
      data(),
      container,
    );
  };

  new ResizeObserver(() => {
    if (plot && container.clientWidth > 0) {
      plot.setSize({ width: container.clientWidth, height: HEIGHT });
    }
  }).observe(container);

  return {
    show(rows) {
      losses = rows;
      if (plot) plot.setData(data());
      else build();
    },
    mark(epoch) {
      marked = epoch;
      plot?.redraw(false, false);
    },
    relabel() {
      if (plot) build();
    },
  };
}

function drawMark(chart: uPlot, epoch: number | null, color: string): void {
  if (epoch === null) return;
  const x = chart.valToPos(epoch, 'x', true);
  const { top, height } = chart.bbox;
  const context = chart.ctx;
  context.save();
  context.strokeStyle = color;
  context.lineWidth = 2 * devicePixelRatio;
  context.setLineDash([4 * devicePixelRatio, 4 * devicePixelRatio]);
  context.beginPath();
  context.moveTo(x, top);
  context.lineTo(x, top + height);
  context.stroke();
  context.restore();
}
