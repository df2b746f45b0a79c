import { BackendPanel } from './BackendPanel';
import { ComparePanel } from './compare/ComparePanel';
import { DataPanel } from './data/DataPanel';
import { ExportPanel } from './export/ExportPanel';
import { MethodSection } from './method/MethodSection';
import { ModelInfoPanel } from './ModelInfoPanel';
import { ModelPanel } from './ModelPanel';
import { ChartsPanel } from './pipeline/ChartsPanel';
import { RunBadge } from './pipeline/RunBadge';
import { RunPanel } from './pipeline/RunPanel';
import { SettingsPanel } from './pipeline/SettingsPanel';
import { TasksPanel } from './pipeline/TasksPanel';
import { TryTaskPanel } from './tryit/TryTaskPanel';
import { TryItPanel } from './TryItPanel';
import { WorkerProblem } from './WorkerProblem';

const SECTIONS = [
  ['model', 'Model'],
  ['tasks', 'Tasks'],
  ['pipeline', 'Pipeline'],
  ['settings', 'Hyperparameters'],
  ['curves', 'Curves'],
  ['decomposition', 'See the method'],
  ['budget', 'Parameter budget'],
  ['your-data', 'Your data'],
  ['classify', 'Try a task'],
  ['export', 'Export'],
  ['compare', 'Compare'],
] as const;

export function App() {
  return (
    <>
      <header className="app-header">
        <h1>MPT playground</h1>
        <p>Multitask Prompt Tuning on a frozen T5, running in your browser.</p>
      </header>
      <nav aria-label="Sections" className="app-nav">
        <div className="app-nav-links">
          {SECTIONS.map(([id, name]) => (
            <a key={id} href={`#${id}`}>
              {name}
            </a>
          ))}
        </div>
        <RunBadge />
      </nav>
      <WorkerProblem />
      <main>
        <div className="panels">
          <ModelPanel />
          <BackendPanel />
          <TryItPanel />
          <ModelInfoPanel />
        </div>
        <div className="sections">
          <TasksPanel />
          <RunPanel />
          <SettingsPanel />
          <ChartsPanel />
          <MethodSection />
          <DataPanel />
          <TryTaskPanel />
          <ExportPanel />
          <ComparePanel />
        </div>
      </main>
    </>
  );
}
