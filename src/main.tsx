import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { useModelStore } from './store/model-store';
import { startTrainingSession } from './store/training-store';
import { App } from './ui/App';
import './ui/styles.css';

// Started here rather than in an effect, so StrictMode's double effects cannot start two workers.
useModelStore.getState().start();
startTrainingSession();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
