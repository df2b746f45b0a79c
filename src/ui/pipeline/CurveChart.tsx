import { useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ChartId, Point } from '../../store/curves';
import { useTrainingStore } from '../../store/training-store';

// Tableau 10: distinct hues that stay apart on white and dark backgrounds.
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/** Series of points as recharts rows, one per step: { step, [series]: value }. */
function toRows(series: Record<string, Point[]>): Record<string, number>[] {
  const rows = new Map<number, Record<string, number>>();
  for (const [name, points] of Object.entries(series)) {
    for (const { step, value } of points) {
      const row = rows.get(step) ?? { step };
      row[name] = value;
      rows.set(step, row);
    }
  }
  return [...rows.values()].sort((a, b) => a.step - b.step);
}

const formatTick = (value: number) => (Math.abs(value) >= 100 ? value.toFixed(0) : Number(value.toPrecision(2)).toString());

/**
 * A live line chart of one of the store's curves; `labels` renames series (e.g. plm -> L_PLM).
 * A task keeps its colour in every chart: colours follow the run's task order.
 */
export function CurveChart({
  chart,
  title,
  empty,
  labels = {},
  percent = false,
}: {
  chart: ChartId;
  title: string;
  empty: string;
  labels?: Record<string, string>;
  /** Scores in [0, 1], shown as 0-100%. */
  percent?: boolean;
}) {
  const series = useTrainingStore((s) => s.curves[chart]);
  const run = useTrainingStore((s) => s.run);
  const order = [...Object.keys(labels), ...(run?.sources ?? []), run?.target];
  const rows = useMemo(() => (series ? toRows(series) : []), [series]);
  const names = Object.keys(series ?? {});
  const points = Object.values(series ?? {}).reduce((n, p) => n + p.length, 0);
  // Dots only while a series is short (evaluations); long loss curves read better as lines.
  const dots = points / Math.max(1, names.length) <= 12;

  return (
    <figure className="chart" data-testid={`chart-${chart}`} data-points={points}>
      <figcaption>{title}</figcaption>
      {points === 0 ? (
        <p className="muted chart-empty">{empty}</p>
      ) : (
        <ResponsiveContainer width="100%" height={210}>
          <LineChart data={rows} margin={{ top: 4, right: 12, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
            <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} allowDecimals={false} tick={{ fontSize: 12 }} />
            <YAxis
              width={44}
              tick={{ fontSize: 12 }}
              domain={percent ? [0, 1] : ['auto', 'auto']}
              tickFormatter={percent ? (v: number) => `${Math.round(v * 100)}%` : formatTick}
            />
            <Tooltip
              formatter={(value) => (typeof value === 'number' ? (percent ? `${(value * 100).toFixed(1)}%` : value.toFixed(4)) : String(value))}
              labelFormatter={(step) => `step ${step}`}
            />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            {names.map((name, i) => (
              <Line
                key={name}
                dataKey={name}
                name={labels[name] ?? name}
                stroke={PALETTE[(order.includes(name) ? order.indexOf(name) : i) % PALETTE.length]}
                strokeWidth={1.5}
                dot={dots ? { r: 2.5 } : false}
                isAnimationActive={false}
                connectNulls
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      )}
    </figure>
  );
}
