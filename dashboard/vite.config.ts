import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Two pages in one build, served by the gateway: the dashboard at /dashboard/ and GraphiQL at
// /graphql (its assets under /dashboard/assets/). `npm run dev` proxies /graphql, sockets included,
// to a running gateway (GATEWAY_URL, default the one `npm start` runs).
const gateway = process.env.GATEWAY_URL ?? 'http://localhost:4000';

export default defineConfig({
  base: '/dashboard/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Monaco (GraphiQL's editor) is large by nature; it loads only on the GraphiQL page.
    chunkSizeWarningLimit: 4096,
    // gzip sizes cost seconds at every npm install and tell nobody anything there.
    reportCompressedSize: false,
    rollupOptions: {
      input: { dashboard: resolve(import.meta.dirname, 'index.html'), graphiql: resolve(import.meta.dirname, 'graphiql.html') },
      // GraphiQL's modules start with React Compiler's "use no memo", which a bundle cannot keep; harmless.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  server: {
    proxy: { '/graphql': { target: gateway, ws: true, changeOrigin: true } },
  },
});
