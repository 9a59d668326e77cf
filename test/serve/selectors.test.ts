import { describe, expect, it } from 'vitest';
import { checkFields, fieldsMatch, labelsMatch, parseFieldSelector, parseLabelSelector, SelectorError } from '../../serve/selectors.js';
import { humanDuration } from '../../serve/tables.js';

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'front', 'app.kubernetes.io/name': 'ingress-nginx', gen: '3' };
  const cases: [string, boolean][] = [
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app=api', false],
    ['missing!=x', true],
    ['app', true],
    ['!app', false],
    ['!missing', true],
    ['app in (api, web)', true],
    ['app notin (api,web)', false],
    ['tier in (back),app=web', false],
    ['app=web,tier=front', true],
    ['app.kubernetes.io/name=ingress-nginx', true],
    ['gen>2', true],
    ['gen<3', false],
    ['app=', false],
  ];
  for (const [sel, want] of cases) it(`${JSON.stringify(sel)} → ${want}`, () => expect(labelsMatch(parseLabelSelector(sel), labels)).toBe(want));

  it('rejects what the API server rejects', () => {
    for (const bad of ['app=we b', 'a b c', '=x', 'app in (a', 'app=web,', '-bad=x']) {
      expect(() => parseLabelSelector(bad), bad).toThrow(SelectorError);
    }
  });
});

describe('field selectors', () => {
  const pod = { metadata: { name: 'p', namespace: 'demo' }, spec: { nodeName: 'w1', hostNetwork: true }, status: { phase: 'Running' } };
  it('matches =, == and != on the fields a kind supports', () => {
    expect(fieldsMatch('pods', parseFieldSelector('spec.nodeName=w1'), pod)).toBe(true);
    expect(fieldsMatch('pods', parseFieldSelector('spec.nodeName==w2'), pod)).toBe(false);
    expect(fieldsMatch('pods', parseFieldSelector('status.phase!=Failed,status.phase!=Succeeded'), pod)).toBe(true);
    expect(fieldsMatch('pods', parseFieldSelector('spec.hostNetwork=true,metadata.namespace=demo'), pod)).toBe(true);
    expect(fieldsMatch('pods', parseFieldSelector('status.podIP='), pod)).toBe(true);
  });
  it('unescapes \\, and \\= in values', () => {
    expect(parseFieldSelector('metadata.name=a\\,b')).toEqual([{ field: 'metadata.name', value: 'a,b', negate: false }]);
  });
  it('refuses a field the kind cannot be selected by', () => {
    expect(() => checkFields('pods', parseFieldSelector('spec.containers=x'))).toThrow(/field label not supported: spec.containers/);
    expect(() => checkFields('services', parseFieldSelector('spec.nodeName=w1'))).toThrow(SelectorError);
    expect(() => checkFields('events', parseFieldSelector('involvedObject.name=x,type=Warning'))).not.toThrow();
    expect(() => parseFieldSelector('nonsense')).toThrow(SelectorError);
  });
});

describe('ages as kubectl prints them', () => {
  const s = 1000;
  const cases: [number, string][] = [
    [-5 * s, '<invalid>'],
    [0, '0s'],
    [119 * s, '119s'],
    [168 * s, '2m48s'],
    [5 * 60 * s, '5m'],
    [47 * 60 * s, '47m'],
    [5 * 3600 * s + 3 * 60 * s, '5h3m'],
    [23 * 3600 * s, '23h'],
    [76 * 3600 * s, '3d4h'],
    [270 * 86400 * s, '270d'],
    [(2 * 365 + 10) * 86400 * s, '2y10d'],
    [9 * 365 * 86400 * s, '9y'],
  ];
  for (const [ms, want] of cases) it(`${ms}ms → ${want}`, () => expect(humanDuration(ms)).toBe(want));
});
