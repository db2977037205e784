import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { createAppStore } from './stores/app-store';
import './styles/app.scss';

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App store={createAppStore(window.companion)} />
    </StrictMode>,
  );
}
