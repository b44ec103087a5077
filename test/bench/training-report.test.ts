import { describe, expect, it } from 'vitest';
import {
  benchmarkSections,
  replaceGenerationSection,
  replaceTrainingSection,
} from '../../bench/report.js';
import { syntheticBatches } from '../../bench/training-data.js';
import {
  parameterMismatches,
  renderTrainingSection,
  summarizeSteps,
  type ArchitectureResult,
  type TrainingBenchmarkReport,
} from '../../bench/training-report.js';

const OPTIONS = { count: 4, batchSize: 8, steps: 20, vocabularySize: 50, classes: 3, seed: 7 };

function result(overrides: Partial<ArchitectureResult> = {}): ArchitectureResult {
  return {
    task: 'text-classification',
    architecture: 'lstm',
    parameters: { tfjs: 1000, torch: 1000 },
    tfjs: summarizeSteps([0.5, 0.5, 0.5], 32),
    torch: [
      { threads: 1, timing: summarizeSteps([0.25, 0.25], 32) },
      { threads: 2, timing: summarizeSteps([1, 1], 32) },
    ],
    ...overrides,
  };
}

function report(overrides: Partial<TrainingBenchmarkReport> = {}): TrainingBenchmarkReport {
  return {
    date: '2026-01-01T00:00:00.000Z',
    durationSeconds: 95.4,
    machine: {
      cpu: 'Test CPU',
      cores: 2,
      memoryGiB: 8,
      node: 'v20.0.0',
      tfjs: '4.22.0',
      tfjsBackend: 'wasm',
      tfjsThreads: 1,
      loadAverage: { start: 3, end: 4 },
    },
    torch: { found: true, python: 'python3', version: '1.13.1' },
    settings: {
      batchSize: 32,
      sequenceLength: 64,
      warmupSteps: 2,
      steps: 6,
      seed: 42,
      labels: 2,
      tags: 7,
      torchThreads: [1, 2],
    },
    results: [result()],
    ...overrides,
  };
}

describe('syntheticBatches', () => {
  it('repeats for the same seed', () => {
    const first = syntheticBatches(OPTIONS);
    const second = syntheticBatches(OPTIONS);
    expect(second).toEqual(first);
  });

  it('pads rows after their lengths', () => {
    for (const batch of syntheticBatches(OPTIONS)) {
      expect(batch.ids.length).toBe(OPTIONS.batchSize * OPTIONS.steps);
      expect(batch.lengths).toHaveLength(OPTIONS.batchSize);
      expect(Math.max(...batch.lengths)).toBe(OPTIONS.steps);
      batch.lengths.forEach((length, row) => {
        expect(length).toBeGreaterThanOrEqual(2);
        const ids = Array.from(batch.ids.subarray(row * batch.steps, (row + 1) * batch.steps));
        const real = ids.slice(0, length);
        const padding = ids.slice(length);
        expect(real.every((id) => id >= 1 && id < OPTIONS.vocabularySize)).toBe(true);
        expect(padding.every((id) => id === 0)).toBe(true);
      });
    }
  });

  it('draws labels and tags below the class count', () => {
    for (const batch of syntheticBatches(OPTIONS)) {
      expect(Array.from(batch.labels).every((label) => label < OPTIONS.classes)).toBe(true);
      expect(Array.from(batch.tags).every((tag) => tag < OPTIONS.classes)).toBe(true);
    }
  });

  it('rejects fewer than two steps', () => {
    expect(() => syntheticBatches({ ...OPTIONS, steps: 1 })).toThrow(RangeError);
  });
});

describe('summarizeSteps', () => {
  it('divides batch size by median step', () => {
    const timing = summarizeSteps([0.1, 0.4, 0.2], 8);
    expect(timing.medianStepSeconds).toBe(0.2);
    expect(timing.sequencesPerSecond).toBe(40);
  });
});

describe('parameterMismatches', () => {
  it('lists only differing counts', () => {
    const mismatches = parameterMismatches([
      result(),
      result({ architecture: 'gru', parameters: { tfjs: 1000, torch: 1192 } }),
      result({ architecture: 'rnn', parameters: { tfjs: 1000, torch: null } }),
    ]);
    expect(mismatches).toHaveLength(1);
    expect(mismatches[0]).toContain('gru');
    expect(mismatches[0]).toContain('1192');
  });
});

describe('renderTrainingSection', () => {
  it('shows the ratio per thread count', () => {
    const markdown = renderTrainingSection(report());
    const row = markdown.split('\n').find((line) => line.startsWith('| classifier | `lstm`'));
    expect(row).toBe(
      '| classifier | `lstm` | 1,000 | 1,000 | 64.0 | 128.0 | 0.50× | 32.0 | 2.00× |',
    );
    expect(markdown).toContain('PyTorch, 2 threads, sequences/s');
    expect(markdown).toContain('The machine was loaded');
    expect(markdown).toContain('The whole run took 95 s.');
  });

  it('says when PyTorch is missing', () => {
    const markdown = renderTrainingSection(
      report({
        torch: { found: false, reason: 'python3: No module named torch.' },
        results: [result({ parameters: { tfjs: 1000, torch: null }, torch: [] })],
      }),
    );
    expect(markdown).toContain('PyTorch was not found');
    expect(markdown).toContain('No module named torch');
    expect(markdown).toContain('| 64.0 | not found | – | not found | – |');
  });

  it('marks a differing parameter count', () => {
    const markdown = renderTrainingSection(
      report({ results: [result({ parameters: { tfjs: 1000, torch: 1192 } })] }),
    );
    expect(markdown).toContain('| 1,000 | 1,192 (differs) |');
  });

  it('reports a failed PyTorch run', () => {
    const markdown = renderTrainingSection(
      report({ results: [result({ torch: [], torchError: 'exit code 1' })] }),
    );
    expect(markdown).toContain('| failed | – |');
    expect(markdown).toContain('- PyTorch failed on lstm: exit code 1');
  });
});

describe('replaceTrainingSection', () => {
  it('appends then replaces in place', () => {
    const page = '# Benchmarks\n\nintro\n';
    const once = replaceTrainingSection(page, 'first');
    expect(once).toContain('intro');
    expect(once).toContain('first');
    const twice = replaceTrainingSection(`${once}\nafter\n`, 'second');
    expect(twice).not.toContain('first');
    expect(twice).toContain('second');
    expect(twice.indexOf('second')).toBeLessThan(twice.indexOf('after'));
  });

  it('survives in benchmarkSections', () => {
    const withGeneration = replaceGenerationSection('# Benchmarks\n', 'tiny', 'tokens');
    const page = replaceTrainingSection(withGeneration, 'sequences');
    const kept = benchmarkSections(page);
    expect(kept).toContain('tokens');
    expect(kept).toContain('sequences');
    expect(kept.endsWith('-->')).toBe(true);
    expect(kept).not.toContain('# Benchmarks');
  });
});
