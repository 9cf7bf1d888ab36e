import { defineConfig } from 'vite';

/**
 * Builds the page from web/ into web/dist/, which `mnist-gan serve` serves at /.
 *
 * `npm run dev:web` starts Vite's dev server instead (hot reload on http://127.0.0.1:5173) and
 * forwards the API's routes to a running `mnist-gan serve`: MNIST_GAN_API names it
 * (default http://127.0.0.1:8000).
 */
const api = process.env.MNIST_GAN_API ?? 'http://127.0.0.1:8000';
const API_ROUTES = [
  '/generate',
  '/interpolate',
  '/models',
  '/health',
  '/runs',
  '/docs',
  '/openapi.json',
];

export default defineConfig({
  root: import.meta.dirname,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Top-level await in main.ts: every browser that runs ES modules from 2022 on has it.
    target: 'es2022',
  },
  server: {
    host: '127.0.0.1',
    proxy: Object.fromEntries(API_ROUTES.map((route) => [route, { target: api }])),
  },
});
