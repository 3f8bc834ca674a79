import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '../../components/theme.css';
import '../../components/panel.css';
import { App } from './App';
import { createWiredStore } from './wiring';

const { store, start } = createWiredStore();
start();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App store={store} />
  </StrictMode>,
);
