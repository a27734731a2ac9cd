import { defineConfig } from 'vite';
import { resolve } from 'node:path';

export default defineConfig({
  root: resolve(import.meta.dirname),
  base: '/',
  build: {
    outDir: resolve(import.meta.dirname, '..', 'dist', 'dashboard'),
    emptyOutDir: true,
    target: 'es2022',
    // no source maps in the shipped build: they would publish the whole source
    sourcemap: false,
  },
});
