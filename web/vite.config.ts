import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [react()],
  // amazon-cognito-identity-js depends on the `buffer` package (v4), which reads
  // Node's `global` at load time; in the browser that is globalThis.
  define: { global: 'globalThis' },
  server: { port: 5173, strictPort: true },
  preview: { port: 5173, strictPort: true },
  build: { target: 'es2022', sourcemap: true },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
});
