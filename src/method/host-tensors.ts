import * as tf from '@tensorflow/tfjs';
import type { HostTensor } from '../model/weights';

/** Moving prompts and task vectors between the backend and plain arrays (checkpoints, results). */

export const toHost = async (t: tf.Tensor): Promise<HostTensor> => ({ shape: t.shape, data: (await t.data()) as Float32Array });

export const toDevice = <T extends tf.Tensor = tf.Tensor>(h: HostTensor): T => tf.tensor(h.data, h.shape) as T;
