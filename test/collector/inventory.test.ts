import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadInventory, parseInventory } from '../../collector/inventory.js';
import { UsageError } from '../../common/errors.js';

const dir = join(import.meta.dirname, '../../fixtures/inventories');

async function errorOf(name: string): Promise<string> {
  const err = await loadInventory(join(dir, name)).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UsageError);
  return (err as Error).message;
}

describe('inventory', () => {
  it('loads the example lab with ssh specs, defaults and jump hosts', async () => {
    const inv = await loadInventory(join(dir, 'lab.yaml'));
    expect(inv.cluster).toBe('homelab');
    expect(inv.hosts.map((h) => h.name)).toEqual(['pve1', 'cp1', 'w1', 'w2']);
    const w1 = inv.hosts.find((h) => h.name === 'w1')!;
    expect(w1.sudo).toBe(true);
    expect(w1.ssh.explicit).toEqual({ user: 'ubuntu' });
    expect(w1.ssh.defaults).toEqual({ user: 'root', port: 22, identityFile: '~/.ssh/id_ed25519', knownHosts: '~/.ssh/known_hosts' });
    expect(w1.ssh.jump?.name).toBe('pve1');
    expect(w1.ssh.jump?.address).toBe('192.168.10.2');
    const w2 = inv.hosts.find((h) => h.name === 'w2')!;
    expect(w2.ssh.jump).toMatchObject({ address: 'bastion.example.net', explicit: { user: 'admin', port: 2222 }, jump: null });
    expect(inv.hosts.find((h) => h.name === 'cp1')!.sudo).toBe(false);
    expect(inv.kube).toEqual({ via: 'cp1', kubeconfig: '/etc/kubernetes/admin.conf' });
    expect(inv.arp).toEqual([{ host: 'pve1', interface: 'vmbr0' }]);
  });

  it('defaults kube to the first control-plane host, or local kubectl for via: local', () => {
    const a = parseInventory('cluster: x\nhosts:\n  - { name: w, address: a, roles: [worker] }\n  - { name: c, address: b, roles: [control-plane] }\n', 'a.yaml');
    expect(a.kube).toEqual({ via: 'c', kubeconfig: '/etc/kubernetes/admin.conf' });
    const b = parseInventory('cluster: x\nhosts: [{ name: w, address: a, roles: [worker] }]\nkube: { via: local }\n', 'b.yaml');
    expect(b.kube).toEqual({ via: null, kubeconfig: '~/.kube/config' });
    const c = parseInventory('cluster: x\nhosts: [{ name: w, address: a, roles: [worker] }]\n', 'c.yaml');
    expect(c.kube).toBeNull();
  });

  it('names file, line and key of a duplicate host', async () => {
    expect(await errorOf('bad-duplicate-host.yaml')).toMatch(/bad-duplicate-host\.yaml:4: hosts\/1\/name: duplicate host name "cp1"/);
  });

  it('names an unknown key with its line', async () => {
    expect(await errorOf('bad-unknown-key.yaml')).toMatch(/bad-unknown-key\.yaml:6: hosts\/0\/prot: is not a known field/);
  });

  it('reports every dangling reference (jump, kube.via, arp.host) at once', async () => {
    const msg = await errorOf('bad-references.yaml');
    expect(msg).toMatch(/bad-references\.yaml:4: hosts\/1\/jump: "bastion" is not a host of this inventory/);
    expect(msg).toMatch(/bad-references\.yaml:6: kube\/via: "cp2" is not a host/);
    expect(msg).toMatch(/bad-references\.yaml:8: arp\/0\/host: "pve9" is not a host/);
  });

  it('rejects bad roles, ports and interface names through the schema', async () => {
    const msg = await errorOf('bad-values.yaml');
    expect(msg).toMatch(/bad-values\.yaml:5: hosts\/0\/roles\/0: must be one of "proxmox", "control-plane", "worker"/);
    expect(msg).toMatch(/bad-values\.yaml:6: hosts\/0\/port: must be <= 65535/);
    expect(msg).toMatch(/bad-values\.yaml:9: arp\/0\/interface: must match pattern/);
  });

  it('finds jump loops', async () => {
    expect(await errorOf('bad-jump-loop.yaml')).toMatch(/bad-jump-loop\.yaml:3: hosts\/0\/jump: jump hosts form a loop/);
  });

  it('reports YAML syntax errors with file and line', async () => {
    expect(await errorOf('bad-syntax.yaml')).toMatch(/bad-syntax\.yaml:\d+: invalid YAML/);
  });

  it('rejects host names that cannot be a bundle path segment', () => {
    expect(() => parseInventory('cluster: x\nhosts:\n  - { name: "../etc", address: a, roles: [worker] }\n', 'p.yaml')).toThrow(/p\.yaml:3: hosts\/0\/name: must match pattern/);
  });

  it('says which file could not be read', async () => {
    await expect(loadInventory(join(dir, 'missing.yaml'))).rejects.toThrow(/cannot read inventory .*missing\.yaml/);
  });
});
