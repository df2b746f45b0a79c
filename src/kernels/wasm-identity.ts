import * as tf from '@tensorflow/tfjs';

/**
 * tfjs-wasm 4.22's Identity kernel (and Cast to the same dtype) copies the tensor. The gradient
 * tape calls it on every input and output it saves for the backward pass (engine
 * saveTensorsForBackwardMode: keep(clone(t))), ~700 copies per training step of the bundled
 * model, and those copies also double the activations' memory. Tensors are immutable, and the
 * wasm backend already shares one buffer between views by reference count (its Reshape kernel
 * does exactly this), so Identity and same-dtype Cast can share too.
 */
let installed = false;
/** Set false to run tfjs's copying kernels again (A/B benchmarks). */
export const wasmIdentityOptions = { shared: true };

export function installWasmSharedIdentity(): void {
  if (installed) return;
  const identity = tf.getKernel('Identity', 'wasm');
  const cast = tf.getKernel('Cast', 'wasm');
  if (!identity || !cast) return;
  installed = true;
  const share = (x: tf.TensorInfo, backend: tf.KernelBackend): tf.TensorInfo => {
    (backend as unknown as { incRef(dataId: unknown): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({
    ...identity,
    kernelFunc: (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      return x.dtype === 'string' || !wasmIdentityOptions.shared ? identity.kernelFunc(args) : share(x, args.backend as tf.KernelBackend);
    },
  });
  tf.unregisterKernel('Cast', 'wasm');
  tf.registerKernel({
    ...cast,
    kernelFunc: (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      const { dtype } = args.attrs as unknown as { dtype: tf.DataType };
      return x.dtype === dtype && dtype !== 'string' && wasmIdentityOptions.shared ? share(x, args.backend as tf.KernelBackend) : cast.kernelFunc(args);
    },
  });
}
