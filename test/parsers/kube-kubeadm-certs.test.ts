import { describe, expect, it } from 'vitest';
import { parseKubeadmCertsCheck } from '../../analyzer/parsers/kube-kubeadm-certs.js';
import { ParseError } from '../../analyzer/parsers/common.js';
import { checkNoBlowup, checkRobust, ctx } from './fuzz.js';

// kubeadm 1.29+ (super-admin.conf exists), with one certificate already expired.
const OUTPUT = `[check-expiration] Reading configuration from the cluster...
[check-expiration] FYI: You can look at this config file with 'kubectl -n kube-system get cm kubeadm-config -o yaml'

CERTIFICATE                EXPIRES                  RESIDUAL TIME   CERTIFICATE AUTHORITY   EXTERNALLY MANAGED
admin.conf                 Nov 27, 2027 10:00 UTC   364d            ca                      no
apiserver                  Nov 20, 2026 10:00 UTC   <invalid>       ca                      no
apiserver-etcd-client      Nov 27, 2027 10:00 UTC   364d            etcd-ca                 no
apiserver-kubelet-client   Nov 27, 2027 10:00 UTC   364d            ca                      no
controller-manager.conf    Nov 27, 2027 10:00 UTC   364d            ca                      no
etcd-healthcheck-client    Nov 27, 2027 10:00 UTC   364d            etcd-ca                 no
etcd-peer                  Nov 27, 2027 10:00 UTC   364d            etcd-ca                 no
etcd-server                Dec 10, 2026 10:00 UTC   13d             etcd-ca                 no
front-proxy-client         Nov 27, 2027 10:00 UTC   364d            front-proxy-ca          no
scheduler.conf             Nov 27, 2027 10:00 UTC   364d            ca                      no
super-admin.conf           Nov 27, 2027 10:00 UTC   364d            ca                      no

CERTIFICATE AUTHORITY   EXPIRES                  RESIDUAL TIME   EXTERNALLY MANAGED
ca                      Nov 25, 2035 10:00 UTC   8y              no
etcd-ca                 Nov 25, 2035 10:00 UTC   8y              no
front-proxy-ca          Nov 25, 2035 10:00 UTC   8y              yes
`;

// kubeadm 1.17 (alpha command) reporting a missing file.
const OLD = `CERTIFICATE                          EXPIRES                  RESIDUAL TIME   CERTIFICATE AUTHORITY   EXTERNALLY MANAGED
admin.conf                           Mar 03, 2021 08:00 UTC   99d                                     no
!MISSING! apiserver-etcd-client
`;

describe('parseKubeadmCertsCheck', () => {
  it('reads both tables with ISO expiry, residual, CA and line', () => {
    const { certs } = parseKubeadmCertsCheck(OUTPUT, ctx);
    expect(certs).toHaveLength(14);
    expect(certs[1]).toEqual({ name: 'apiserver', table: 'certificates', expires: '2026-11-20T10:00:00.000Z', residual: '<invalid>', ca: 'ca', externallyManaged: false, missing: false, line: 6 });
    expect(certs.find((cert) => cert.name === 'etcd-server')).toMatchObject({ expires: '2026-12-10T10:00:00.000Z', residual: '13d', ca: 'etcd-ca' });
    expect(certs.at(-1)).toEqual({ name: 'front-proxy-ca', table: 'authorities', expires: '2035-11-25T10:00:00.000Z', residual: '8y', ca: null, externallyManaged: true, missing: false, line: 20 });
  });

  it('reads older output with an empty CA cell and !MISSING! rows', () => {
    const { certs } = parseKubeadmCertsCheck(OLD, ctx);
    expect(certs[0]).toMatchObject({ name: 'admin.conf', ca: null, expires: '2021-03-03T08:00:00.000Z' });
    expect(certs[1]).toMatchObject({ name: 'apiserver-etcd-client', missing: true, expires: null, line: 3 });
  });

  it('rejects other text', () => {
    expect(() => parseKubeadmCertsCheck('error: unknown command "check-expiration"\n', ctx)).toThrow(ParseError);
  });

  it('never crashes except with ParseError, in linear time', () => {
    checkRobust((text) => parseKubeadmCertsCheck(text, ctx), [OUTPUT, OLD]);
    checkNoBlowup((text) => parseKubeadmCertsCheck(text, ctx), [`CERTIFICATE  EXPIRES  X\n${'a  Nov 27, 2026 10:00 UTC  b\n'.repeat(30_000)}`, `CERTIFICATE  EXPIRES ${' '.repeat(100_000)}x`]);
  });
});
