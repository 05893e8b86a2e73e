// amazon-cognito-identity-js bundles the npm `buffer` package, which reads the Node
// global `global`; vite.config.ts defines it as globalThis for the build and dev server.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
