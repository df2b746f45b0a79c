import { BackendPanel } from './BackendPanel';
import { ModelInfoPanel } from './ModelInfoPanel';
import { ModelPanel } from './ModelPanel';
import { TryItPanel } from './TryItPanel';
import { WorkerProblem } from './WorkerProblem';

export function App() {
  return (
    <>
      <header className="app-header">
        <h1>MPT playground</h1>
        <p>Multitask Prompt Tuning on a frozen T5, running in your browser.</p>
      </header>
      <WorkerProblem />
      <main className="panels">
        <ModelPanel />
        <BackendPanel />
        <TryItPanel />
        <ModelInfoPanel />
      </main>
    </>
  );
}
