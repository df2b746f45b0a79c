import { cssColor } from './color-scale';
import { cosineSimilarities } from '../../method/prompt-matrices';

/** Cosine similarity of every pair of task prompts, as a table of coloured cells (-1 blue, 0 white, 1 red). */
export function SimilarityMatrix({ title, names, prompts, testId }: { title: string; names: string[]; prompts: Float32Array[]; testId: string }) {
  const { data } = cosineSimilarities(prompts);
  const n = names.length;
  return (
    <figure className="similarity" data-testid={testId}>
      <figcaption>
        <strong>{title}</strong>
      </figcaption>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <td />
              {names.map((name) => (
                <th key={name} scope="col">
                  <span className="similarity-col-name">{name}</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {names.map((row, i) => (
              <tr key={row}>
                <th scope="row">{row}</th>
                {names.map((col, j) => {
                  const value = data[i * n + j];
                  return (
                    <td
                      key={col}
                      style={{ background: cssColor(value), color: Math.abs(value) > 0.6 ? '#fff' : '#1c1f24' }}
                      title={`cos(${row}, ${col}) = ${value.toFixed(3)}`}
                    >
                      {value.toFixed(2)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
