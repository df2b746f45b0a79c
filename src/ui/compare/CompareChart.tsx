import { CartesianGrid, ErrorBar, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { COMPARED_METHODS, type CompareSummary } from '../../store/compare-store';

const COLORS: Record<string, string> = { mpt: '#4e79a7', 'prompt-tuning': '#f28e2b', 'spot-best': '#59a14f' };

/** Mean score against k, one line per method, with bars from the worst to the best seed. */
export function CompareChart({ summary }: { summary: CompareSummary[] }) {
  const ks = [...new Set(summary.map((s) => s.k))].sort((a, b) => a - b);
  const rows = ks.map((k) => {
    const row: Record<string, number | number[]> = { k };
    for (const s of summary.filter((x) => x.k === k)) {
      row[s.method] = s.mean;
      row[`${s.method}-range`] = [s.mean - s.min, s.max - s.mean];
    }
    return row;
  });
  return (
    <figure className="compare-figure" data-testid="compare-chart">
      <figcaption>Test score against k (mean over seeds; bars: min to max)</figcaption>
      <ResponsiveContainer width="100%" height={240}>
        <LineChart data={rows} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
          <XAxis dataKey="k" type="category" tick={{ fontSize: 12 }} tickFormatter={(k) => `k = ${k}`} padding={{ left: 40, right: 40 }} />
          <YAxis width={44} domain={[0, 1]} tick={{ fontSize: 12 }} tickFormatter={(v: number) => `${Math.round(v * 100)}%`} />
          <Tooltip formatter={(value) => (typeof value === 'number' ? `${(value * 100).toFixed(1)}%` : String(value))} labelFormatter={(k) => `k = ${k}`} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {COMPARED_METHODS.map(({ method, name }) => (
            <Line key={method} dataKey={method} name={name} stroke={COLORS[method]} strokeWidth={1.5} dot={{ r: 3 }} isAnimationActive={false}>
              <ErrorBar dataKey={`${method}-range`} width={6} stroke={COLORS[method]} isAnimationActive={false} />
            </Line>
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
