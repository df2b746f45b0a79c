/**
 * T5's relative position buckets (Raffel et al. 2020, as in Hugging Face's
 * `_relative_position_bucket`): half the buckets hold exact small distances, the other half
 * distances up to `maxDistance` on a log scale. The encoder uses both directions, the decoder
 * only the past.
 */
export function relativePositionBucket(
  relativePosition: number,
  bidirectional: boolean,
  numBuckets: number,
  maxDistance: number,
): number {
  let bucket = 0;
  let n = numBuckets;
  let distance: number;
  if (bidirectional) {
    n = Math.floor(n / 2);
    if (relativePosition > 0) bucket += n;
    distance = Math.abs(relativePosition);
  } else {
    distance = -Math.min(relativePosition, 0);
  }
  const maxExact = Math.floor(n / 2);
  if (distance < maxExact) return bucket + distance;
  // Same float32 arithmetic order as the reference so boundary distances land in the same bucket.
  const logRatio =
    Math.fround(Math.log(Math.fround(distance / maxExact))) / Math.fround(Math.log(maxDistance / maxExact));
  const large = maxExact + Math.trunc(Math.fround(Math.fround(logRatio) * (n - maxExact)));
  return bucket + Math.min(large, n - 1);
}

/** Bucket ids for every (query, key) pair, row-major [queryLength, keyLength]. */
export function positionBuckets(
  queryLength: number,
  keyLength: number,
  bidirectional: boolean,
  numBuckets: number,
  maxDistance: number,
): Int32Array {
  const buckets = new Int32Array(queryLength * keyLength);
  for (let i = 0; i < queryLength; i++) {
    for (let j = 0; j < keyLength; j++) {
      buckets[i * keyLength + j] = relativePositionBucket(j - i, bidirectional, numBuckets, maxDistance);
    }
  }
  return buckets;
}
