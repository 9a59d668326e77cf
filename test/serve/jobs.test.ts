// Jobs are collected since job-failed reads their Failed condition; serve offers them like kubectl does.
import { describe, expect, it } from 'vitest';
import { builtinResource } from '../../serve/resources.js';
import { printerFor } from '../../serve/tables.js';

describe('jobs in serve', () => {
  it('is a namespaced batch/v1 resource in the "all" category', () => {
    expect(builtinResource('jobs')).toMatchObject({ group: 'batch', version: 'v1', kind: 'Job', singular: 'job', namespaced: true, categories: ['all'] });
  });

  it('prints the columns kubectl 1.32 shows: status, completions, duration, age', () => {
    const p = printerFor('jobs');
    expect(p.columns.map((c) => c.name)).toEqual(['Name', 'Status', 'Completions', 'Duration', 'Age', 'Containers', 'Images']);
    const now = new Date('2026-11-27T10:00:00Z');
    const failed = {
      metadata: { name: 'migrate', creationTimestamp: '2026-11-27T09:00:00Z' },
      spec: { completions: 1, template: { spec: { containers: [{ name: 'm', image: 'flyway/flyway:10' }] } } },
      status: { startTime: '2026-11-27T09:00:00Z', failed: 1, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] },
    };
    expect(p.cells(failed, now)).toEqual(['migrate', 'Failed', '0/1', '60m', '60m', 'm', 'flyway/flyway:10']);
    const done = { metadata: { name: 'seed', creationTimestamp: '2026-11-27T09:58:00Z' }, spec: {}, status: { startTime: '2026-11-27T09:58:00Z', completionTime: '2026-11-27T09:58:42Z', succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] } };
    expect(p.cells(done, now).slice(0, 4)).toEqual(['seed', 'Complete', '1/1', '42s']);
  });
});
