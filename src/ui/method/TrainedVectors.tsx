import type { HostTensor } from '../../model/weights';
import { useTrainingStore } from '../../store/training-store';
import { norm } from '../../method/prompt-matrices';

interface VectorRow {
  name: string;
  tensor: HostTensor;
}

/** Every vector the run has learned so far: its shape, size and norm. */
export function TrainedVectors() {
  const run = useTrainingStore((s) => s.run);
  const teachers = useTrainingStore((s) => s.teachers);
  const sourcePrompts = useTrainingStore((s) => s.sourcePrompts);
  const targetPrompts = useTrainingStore((s) => s.targetPrompts);
  if (!run) return <p className="muted">Nothing trained yet.</p>;

  const rows: VectorRow[] = [
    ...run.sources.filter((id) => teachers[id]).map((id) => ({ name: `teacher prompt: ${id}`, tensor: teachers[id] })),
    ...(sourcePrompts
      ? [
          { name: `P* (stage 2, step ${sourcePrompts.step})`, tensor: sourcePrompts.prompts.shared },
          { name: 'U (all sources)', tensor: sourcePrompts.prompts.u },
          { name: 'V (all sources)', tensor: sourcePrompts.prompts.v },
        ]
      : []),
    ...(targetPrompts
      ? [
          { name: `${run.target}: P* copy (stage 3, step ${targetPrompts.step})`, tensor: targetPrompts.prompts.shared },
          { name: `${run.target}: u`, tensor: targetPrompts.prompts.u },
          { name: `${run.target}: v`, tensor: targetPrompts.prompts.v },
        ]
      : []),
  ];
  if (rows.length === 0) return <p className="muted">The first teacher prompt appears when stage 1 finishes its first source.</p>;
  return (
    <div className="table-scroll">
      <table className="vectors" data-testid="trained-vectors">
        <thead>
          <tr>
            <th scope="col">Vector</th>
            <th scope="col">Shape</th>
            <th scope="col" className="number">
              Values
            </th>
            <th scope="col" className="number">
              ‖·‖
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ name, tensor }) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td>[{tensor.shape.join(', ')}]</td>
              <td className="number">{tensor.data.length.toLocaleString('en')}</td>
              <td className="number">{norm(tensor.data).toFixed(2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
