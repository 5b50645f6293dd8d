import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// No dev-server proxy: the app calls the API on its own origin, allowed by the API's CORS_ORIGINS.
export default defineConfig({
  plugins: [react()],
  server: { port: 5173, strictPort: true },
  build: { sourcemap: true },
});
