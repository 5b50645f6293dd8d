import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { loadRuntimeConfig } from './runtime-config';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
const config = await loadRuntimeConfig();
createRoot(root).render(
  <StrictMode>
    <App config={config} />
  </StrictMode>,
);
