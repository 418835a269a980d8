/**
 * A small time-series chart (uPlot) that is given a new point every second:
 * the instance is made once and only its data is replaced, so a dashboard of
 * many charts stays cheap. Its width follows its box.
 */
import { useEffect, useRef } from 'react';
import uPlot, { type AlignedData, type Options } from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  color: string;
}

export interface LiveChartProps {
  /** `data-testid` is `chart-<name>`. */
  name: string;
  title: string;
  /** The headline figure shown beside the title (the latest value of the first series, formatted). */
  value: string;
  /** The latest value, as a number, for tests and screen readers. */
  rawValue: number | null;
  series: ChartSeries[];
  /** `[times in seconds, ...one array per series]`, all the same length. */
  data: AlignedData;
  height?: number;
  /** Show this many seconds up to the latest point (a moving window), instead of the data's own span. */
  windowSeconds?: number;
  /** How x values are written on the axis; times of day by default. */
  xFormat?: (seconds: number) => string;
}

const timeOfDay = (seconds: number) => new Date(seconds * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

export function LiveChart({ name, title, value, rawValue, series, data, height = 120, windowSeconds, xFormat = timeOfDay }: LiveChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const labels = series.map((s) => s.label).join('|');

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const opts: Options = {
      width: Math.max(el.clientWidth, 200),
      height,
      legend: { show: series.length > 1, live: false },
      cursor: { show: false },
      scales: {
        x: { time: false, ...(windowSeconds ? { range: (_u: uPlot, _min: number, max: number) => [max - windowSeconds, max] as [number, number] } : {}) },
        y: { range: (_u, min, max) => [Math.min(0, min), max <= 0 ? 1 : max * 1.1] },
      },
      axes: [
        { stroke: '#5f6b7a', grid: { show: false }, ticks: { size: 4 }, size: 24, font: '11px system-ui', space: 70, values: (_u, splits) => splits.map(xFormat) },
        { stroke: '#5f6b7a', grid: { stroke: '#eef0f3' }, ticks: { size: 4 }, size: 44, font: '11px system-ui' },
      ],
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, fill: series.length === 1 ? `${s.color}22` : undefined, points: { show: false } }))],
    };
    const chart = new uPlot(opts, data, el);
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(el.clientWidth, 200), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
    // Remade only when the set of series changes; data arrives through setData below.
  }, [labels, height, windowSeconds]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return (
    <figure className="chart" data-testid={`chart-${name}`} data-value={rawValue ?? ''} aria-label={`${title}: ${value}`} style={{ margin: 0 }}>
      <figcaption className="chart-head">
        <span className="chart-title">{title}</span>
        <span className="chart-value" data-testid={`chart-${name}-value`}>
          {value}
        </span>
      </figcaption>
      <div ref={box} />
    </figure>
  );
}
