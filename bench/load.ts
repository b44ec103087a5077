import autocannon from 'autocannon';
import { percentile } from './stats.js';

export interface LoadResult {
  connections: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses other than 2xx, plus connection errors and timeouts. */
  failures: number;
}

/**
 * Sends POST requests with `bodies` in turn from `connections` concurrent connections for
 * `seconds`, over loopback HTTP/1.1 with keep-alive.
 */
export async function loadTest(
  url: string,
  bodies: readonly string[],
  connections: number,
  seconds: number,
): Promise<LoadResult> {
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: bodies.map((body) => ({ method: 'POST', body })),
  });
  return {
    connections,
    seconds,
    requestsPerSecond: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

/**
 * Sends `count` requests one after another from one keep-alive connection and times each
 * with `performance.now()`, for latencies below autocannon's 1 ms resolution.
 */
export async function sequentialLatency(
  url: string,
  bodies: readonly string[],
  count: number,
): Promise<{ p50Ms: number; p99Ms: number; count: number }> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: bodies[i % bodies.length],
    });
    await response.arrayBuffer();
    times.push(performance.now() - started);
    if (!response.ok) throw new Error(`${url} returned HTTP ${response.status}`);
  }
  return { p50Ms: percentile(times, 0.5), p99Ms: percentile(times, 0.99), count };
}
