/**
 * One Vite build for the browser apps: each app is an HTML entry under `web/`
 * (the shop at `index.html`, the console at `admin/index.html`), sharing
 * `src/shared` and the API types.
 * The output, `web/dist`, is what the service serves (`src/platform/http/web.ts`).
 * `npm run dev:web` serves the apps with hot reload and passes `/api` to a
 * service running on port 8080.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** In development, the console's page paths answer its page, as the service does. */
function consolePages(): Plugin {
  return {
    name: 'console-pages',
    configureServer(server) {
      server.middlewares.use((req, _res, next) => {
        const path = req.url?.split('?')[0] ?? '';
        if (/^\/admin(\/[^.]*)?$/.test(path)) req.url = '/admin/index.html';
        next();
      });
    },
  };
}

export default defineConfig({
  root: here('.'),
  plugins: [react(), consolePages()],
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    rolldownOptions: {
      input: { shop: here('index.html'), admin: here('admin/index.html') },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
