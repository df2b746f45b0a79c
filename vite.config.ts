import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Threaded SIMD WASM needs SharedArrayBuffer, which browsers only give to cross-origin
// isolated pages: both headers must be sent by the dev server, the preview server and any host.
export const crossOriginIsolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react()],
  server: { headers: crossOriginIsolation },
  preview: { headers: crossOriginIsolation },
  worker: { format: 'es' },
  // Pre-bundled up front: discovering them mid-run makes Vite reload the page (and browser tests).
  optimizeDeps: {
    include: [
      '@tensorflow/tfjs',
      '@tensorflow/tfjs-backend-webgpu',
      '@tensorflow/tfjs-backend-wasm',
      '@huggingface/tokenizers',
      'comlink',
      'idb',
      'react',
      'react-dom/client',
      'zustand',
    ],
  },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  assetsInclude: ['**/*.wgsl'],
});
