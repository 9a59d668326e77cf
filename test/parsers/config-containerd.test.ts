import { describe, expect, it } from 'vitest';
import { parseContainerdConfig } from '../../analyzer/parsers/config-containerd.js';
import { ParseError } from '../../analyzer/parsers/common.js';
import { checkNoBlowup, checkRobust, ctx } from './fuzz.js';

// Shape of `containerd config default` 1.7 (version 2), edited as the kubeadm docs suggest, with a mirror.
const V2 = `disabled_plugins = []
imports = []
oom_score = 0
root = "/var/lib/containerd"
state = "/run/containerd"
version = 2

[grpc]
  address = "/run/containerd/containerd.sock"

[plugins]

  [plugins."io.containerd.grpc.v1.cri"]
    enable_selinux = false
    sandbox_image = "registry.k8s.io/pause:3.8" # kubeadm 1.31 wants 3.10

    [plugins."io.containerd.grpc.v1.cri".containerd]
      default_runtime_name = "runc"
      snapshotter = "overlayfs"

      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes]

        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
          runtime_type = "io.containerd.runc.v2"

          [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
            BinaryName = ""
            SystemdCgroup = false

    [plugins."io.containerd.grpc.v1.cri".registry]
      config_path = ""

      [plugins."io.containerd.grpc.v1.cri".registry.auths]

      [plugins."io.containerd.grpc.v1.cri".registry.configs]

        [plugins."io.containerd.grpc.v1.cri".registry.configs."registry.lab.example:5000".auth]
          username = "lab"
          password = "s3cret-value"

        [plugins."io.containerd.grpc.v1.cri".registry.configs."registry.lab.example:5000".tls]
          insecure_skip_verify = true

      [plugins."io.containerd.grpc.v1.cri".registry.mirrors]

        [plugins."io.containerd.grpc.v1.cri".registry.mirrors."docker.io"]
          endpoint = [
            "https://mirror.lab.example",
            "https://registry-1.docker.io",
          ]
`;

// containerd 2.0 `config default` (version 3).
const V3 = `version = 3
root = '/var/lib/containerd'
state = '/run/containerd'
disabled_plugins = []

[plugins]
  [plugins.'io.containerd.cri.v1.images']
    snapshotter = 'overlayfs'

    [plugins.'io.containerd.cri.v1.images'.pinned_images]
      sandbox = 'registry.k8s.io/pause:3.10'

    [plugins.'io.containerd.cri.v1.images'.registry]
      config_path = '/etc/containerd/certs.d:/etc/docker/certs.d'

  [plugins.'io.containerd.cri.v1.runtime']
    enable_selinux = false

    [plugins.'io.containerd.cri.v1.runtime'.containerd]
      default_runtime_name = 'runc'

      [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes]
        [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
          runtime_type = 'io.containerd.runc.v2'

          [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
            SystemdCgroup = true
`;

// The file the containerd.io distribution package installs.
const PACKAGED = `#   Copyright 2018-2022 Docker Inc.

#   Licensed under the Apache License, Version 2.0 (the "License");

disabled_plugins = ["cri"]

#root = "/var/lib/containerd"
#state = "/run/containerd"
#subreaper = true
`;

// containerd 1.2-era version 1 layout.
const V1 = `[plugins]
  [plugins.cri]
    sandbox_image = "k8s.gcr.io/pause:3.1"
    systemd_cgroup = true
    [plugins.cri.containerd]
      [plugins.cri.containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v1"
        [plugins.cri.containerd.runtimes.runc.options]
          SystemdCgroup = true
    [plugins.cri.registry]
      [plugins.cri.registry.mirrors]
        [plugins.cri.registry.mirrors."docker.io"]
          endpoint = ["https://registry-1.docker.io"]
      [plugins.cri.registry.auths]
        [plugins.cri.registry.auths."https://gcr.io"]
          username = "_json_key"
`;

const lineIn = (text: string, needle: string) => text.split('\n').findIndex((line) => line.includes(needle)) + 1;

describe('parseContainerdConfig', () => {
  it('reads a version 2 config with key lines, mirrors and registry credentials (without their values)', () => {
    const config = parseContainerdConfig(V2, ctx);
    expect(config).toMatchObject({
      version: 2, disabledPlugins: [], criDisabled: false, defaultRuntimeName: 'runc', systemdCgroup: false,
      legacySystemdCgroup: undefined, sandboxImage: 'registry.k8s.io/pause:3.8',
    });
    expect(config.lines).toEqual({
      version: 6, disabledPlugins: 1, defaultRuntimeName: lineIn(V2, 'default_runtime_name'), systemdCgroup: lineIn(V2, 'SystemdCgroup'),
      sandboxImage: lineIn(V2, 'sandbox_image'), configPath: lineIn(V2, 'config_path'),
    });
    expect(config.registry.configPath).toBe('');
    expect(config.registry.mirrors).toEqual([
      { host: 'docker.io', endpoints: ['https://mirror.lab.example', 'https://registry-1.docker.io'], line: lineIn(V2, 'mirrors."docker.io"]') },
    ]);
    expect(config.registry.configs).toEqual([
      { host: 'registry.lab.example:5000', hasAuth: true, insecureSkipVerify: true, caFile: undefined, line: lineIn(V2, '5000".auth]') },
    ]);
    expect(JSON.stringify(config)).not.toContain('s3cret');
  });

  it('reads a version 3 config (containerd 2.x split CRI plugins)', () => {
    const config = parseContainerdConfig(V3, ctx);
    expect(config).toMatchObject({
      version: 3, criDisabled: false, systemdCgroup: true, sandboxImage: 'registry.k8s.io/pause:3.10',
      registry: { configPath: '/etc/containerd/certs.d:/etc/docker/certs.d', mirrors: [], configs: [] },
    });
    expect(config.lines).toMatchObject({ version: 1, systemdCgroup: lineIn(V3, 'SystemdCgroup'), sandboxImage: lineIn(V3, "sandbox = "), configPath: lineIn(V3, 'config_path') });
  });

  it('sees the packaged config that disables CRI, and leaves SystemdCgroup undefined when nothing sets it', () => {
    const config = parseContainerdConfig(PACKAGED, ctx);
    expect(config).toMatchObject({ version: 1, disabledPlugins: ['cri'], criDisabled: true, systemdCgroup: undefined, sandboxImage: undefined });
    expect(config.lines).toEqual({ disabledPlugins: 5 });
    expect(parseContainerdConfig('version = 3\ndisabled_plugins = ["io.containerd.cri.v1.runtime"]\n', ctx).criDisabled).toBe(true);
    expect(parseContainerdConfig('', ctx).systemdCgroup).toBeUndefined();
  });

  it('reads the version 1 layout, its legacy systemd_cgroup and deprecated auths', () => {
    const config = parseContainerdConfig(V1, ctx);
    expect(config).toMatchObject({ version: 1, systemdCgroup: true, legacySystemdCgroup: true, sandboxImage: 'k8s.gcr.io/pause:3.1' });
    expect(config.lines).toMatchObject({ legacySystemdCgroup: 4, systemdCgroup: 9, sandboxImage: 3 });
    expect(config.registry.mirrors[0]).toMatchObject({ host: 'docker.io', endpoints: ['https://registry-1.docker.io'] });
    expect(config.registry.configs).toEqual([{ host: 'gcr.io', hasAuth: true, insecureSkipVerify: undefined, caFile: undefined, line: lineIn(V1, 'auths."https://gcr.io"') }]);
  });

  it('follows default_runtime_name to the runtime whose options apply', () => {
    const text = `version = 2
[plugins."io.containerd.grpc.v1.cri".containerd]
  default_runtime_name = "crun"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
  SystemdCgroup = false
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.crun.options]
  SystemdCgroup = true
`;
    expect(parseContainerdConfig(text, ctx)).toMatchObject({ defaultRuntimeName: 'crun', systemdCgroup: true, lines: { systemdCgroup: 7, defaultRuntimeName: 3 } });
  });

  it('keeps line numbers true when `config dump 2>&1` interleaved warnings', () => {
    const dump = `time="2026-11-27T01:00:00Z" level=warning msg="Ignoring unknown key in TOML" column=1 error="strict mode: fields in the document are missing in the target struct" file=/etc/containerd/config.toml key=foo row=3\n${V3}`;
    expect(parseContainerdConfig(dump, ctx).lines.systemdCgroup).toBe(lineIn(V3, 'SystemdCgroup') + 1);
  });

  it('rejects invalid TOML with the line of the error', () => {
    let error: unknown;
    try {
      parseContainerdConfig('version = 2\n[plugins\nx = 1\n', ctx);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ParseError);
    expect((error as ParseError).line).toBe(2);
  });

  it('never crashes except with ParseError, in linear time', () => {
    checkRobust((text) => parseContainerdConfig(text, ctx), [V2, V3, V1, PACKAGED], 200);
    checkNoBlowup((text) => parseContainerdConfig(text, ctx), [
      `a = [${'['.repeat(5_000)}`,
      `${'[a.'.repeat(30_000)}]`,
      `x = "${'\\"'.repeat(50_000)}"`,
    ]);
  });
});
