// Journals and container logs of an exact byte size, produced as a stream of chunks: the manifest lists
// each log's size before the log exists, and no log is ever held whole. Content is ASCII, so characters
// and bytes count the same.
import { Rng } from './prng.js';
import { crashingContainer, type ContainerSpec, type HostSpec, type PodSpec, type World } from './world.js';

const CHUNK_CHARS = 64 * 1024;
// Lines are spaced so that a log of the planned size spans the collector's default --since window.
const WINDOW_MS = 24 * 3600_000;

type LineMaker = (t: number) => string;

/**
 * Lines until the size is reached; the last line is cut to fit exactly, as a collector's byte cap would.
 * Timestamps advance by a jittered step sized from the expected line count.
 */
export function* sizedLog(size: number, end: number, averageLine: number, rng: Rng, header: string[], line: LineMaker): Generator<Buffer> {
  let left = size;
  let pending = '';
  const step = WINDOW_MS / Math.max(1, size / averageLine);
  let t = end - WINDOW_MS;
  const emit = (text: string): boolean => {
    const fitted = text.length <= left ? text : `${text.slice(0, left - 1)}\n`;
    pending += fitted;
    left -= fitted.length;
    return left > 0;
  };
  for (const h of header) if (!emit(`${h}\n`)) break;
  while (left > 0) {
    t += step * (0.5 + rng.next());
    emit(`${line(Math.min(t, end))}\n`);
    if (pending.length >= CHUNK_CHARS) {
      yield Buffer.from(pending, 'latin1');
      pending = '';
    }
  }
  if (pending.length > 0) yield Buffer.from(pending, 'latin1');
}

function isoMicros(t: number, rng: Rng): string {
  const iso = new Date(t).toISOString();
  return `${iso.slice(0, 23)}${String(rng.int(1000)).padStart(3, '0')}+00:00`;
}

/** klog's `Lmmdd hh:mm:ss.uuuuuu threadid file:line]` prefix. */
function klog(level: string, t: number, rng: Rng, pid: number, where: string): string {
  const iso = new Date(t).toISOString();
  return `${level}${iso.slice(5, 7)}${iso.slice(8, 10)} ${iso.slice(11, 23)}${String(rng.int(1000)).padStart(3, '0')} ${String(pid).padStart(7)} ${where}]`;
}

function idPool(rng: Rng, n: number): string[] {
  return Array.from({ length: n }, () => rng.hex(64));
}

function hostPods(world: World, host: HostSpec): PodSpec[] {
  const pods = world.pods.filter((p) => p.node === host.name);
  return pods.length > 0 ? pods : world.pods.slice(0, 1);
}

const CNI_ERROR = '"Container runtime network not ready" networkReady="NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized"';

export function kubeletJournal(world: World, host: HostSpec, size: number, seedPath: string): Generator<Buffer> {
  const rng = new Rng(seedPath);
  const pods = hostPods(world, host);
  // Only the planted crash loops fail probes and back off; every other pod here has no probe and runs.
  const looping = pods.filter((p) => p.crash !== undefined);
  const probed = pods.filter((p) => p.crash === 'liveness');
  const pid = rng.range(600, 1200);
  const ids = idPool(rng, 16);
  const end = world.collectedAt.getTime();
  const prefix = (t: number) => `${isoMicros(t, rng)} ${host.name} kubelet[${pid}]: `;
  const removeContainer = (t: number) => `${prefix(t)}${klog('I', t, rng, pid, 'scope.go:117')} "RemoveContainer" containerID="${rng.pick(ids)}"`;
  const boot = isoMicros(end - WINDOW_MS - 60_000, rng);
  const header = [
    `${boot} ${host.name} systemd[1]: Started kubelet.service - kubelet: The Kubernetes Node Agent.`,
    `${boot} ${host.name} kubelet[${pid}]: Flag --container-runtime-endpoint has been deprecated, This parameter should be set via the config file specified by the Kubelet's --config flag.`,
  ];
  return sizedLog(size, end, 230, rng, header, (t) => {
    const pod = rng.pick(pods);
    const ref = `pod="${pod.namespace}/${pod.name}"`;
    if (host.cniBroken && rng.chance(0.1)) return `${prefix(t)}${klog('E', t, rng, pid, 'kubelet.go:2901')} ${CNI_ERROR}`;
    switch (rng.int(9)) {
      case 0:
        return `${prefix(t)}${klog('I', t, rng, pid, 'kubelet_getters.go:218')} "Pod status updated" ${ref} status="Running"`;
      case 1:
        return `${prefix(t)}${klog('I', t, rng, pid, 'kubelet.go:2434')} "SyncLoop (PLEG): event for pod" ${ref} event={"ID":"${pod.uid}","Type":"ContainerStarted","Data":"${rng.pick(ids)}"}`;
      case 2: {
        if (probed.length === 0) return removeContainer(t);
        const p = rng.pick(probed);
        return `${prefix(t)}${klog('I', t, rng, pid, 'prober.go:107')} "Probe failed" probeType="Liveness" pod="${p.namespace}/${p.name}" podUID="${p.uid}" containerName="${p.containers[0]!.name}" probeResult="failure" output="Get \\"http://${p.ip}:8080/healthz\\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"`;
      }
      case 3:
        return `${prefix(t)}${klog('I', t, rng, pid, 'reconciler_common.go:247')} "operationExecutor.VerifyControllerAttachedVolume started for volume \\"kube-api-access-${rng.kubeSuffix(5)}\\" (UniqueName: \\"kubernetes.io/projected/${pod.uid}-kube-api-access\\") pod \\"${pod.name}\\" (UID: \\"${pod.uid}\\") " ${ref}`;
      case 4: {
        if (looping.length === 0) return removeContainer(t);
        const p = rng.pick(looping);
        const lc = crashingContainer(p);
        return `${prefix(t)}${klog('E', t, rng, pid, 'pod_workers.go:1298')} "Error syncing pod, skipping" err="failed to \\"StartContainer\\" for \\"${lc}\\" with CrashLoopBackOff: \\"back-off 5m0s restarting failed container=${lc} pod=${p.name}_${p.namespace}(${p.uid})\\"" pod="${p.namespace}/${p.name}" podUID="${p.uid}"`;
      }
      case 5:
        return `${prefix(t)}${klog('I', t, rng, pid, 'container_gc.go:88')} "Attempting to delete unused containers"`;
      case 6:
        return `${prefix(t)}${klog('I', t, rng, pid, 'image_gc_manager.go:404')} "Disk usage on image filesystem is over the high threshold, trying to free bytes down to the low threshold" usage=${rng.range(60, 90)} highThreshold=85 amountToFree=${rng.range(0, 900000000)} lowThreshold=80`;
      case 7:
        return `${prefix(t)}${klog('I', t, rng, pid, 'log.go:245')} http: TLS handshake error from ${pod.ip}:${rng.range(30000, 60000)}: EOF`;
      default:
        return removeContainer(t);
    }
  });
}

export function containerdJournal(world: World, host: HostSpec, size: number, seedPath: string): Generator<Buffer> {
  const rng = new Rng(seedPath);
  const pods = hostPods(world, host);
  const pid = rng.range(500, 700);
  const ids = idPool(rng, 16);
  const end = world.collectedAt.getTime();
  const boot = end - WINDOW_MS - 90_000;
  const header = [
    `${isoMicros(boot, rng)} ${host.name} systemd[1]: Starting containerd.service - containerd container runtime...`,
    `${isoMicros(boot, rng)} ${host.name} containerd[${pid}]: time="${new Date(boot).toISOString()}" level=info msg="starting containerd" revision=8fc6bcff51318944179630522a095cc9dbf9f353 version=1.7.20`,
    `${isoMicros(boot, rng)} ${host.name} systemd[1]: Started containerd.service - containerd container runtime.`,
  ];
  return sizedLog(size, end, 260, rng, header, (t) => {
    const pod = rng.pick(pods);
    const at = `${isoMicros(t, rng)} ${host.name} containerd[${pid}]: time="${new Date(t).toISOString().slice(0, 23)}${rng.range(100000, 999999)}Z"`;
    if (host.cniBroken && rng.chance(0.05)) {
      return `${at} level=error msg="failed to load cni during init, please check CRI plugin status before setting up network for pods" error="cni config load failed: no network config found in /etc/cni/net.d: cni plugin not initialized: failed to load cni config"`;
    }
    switch (rng.int(5)) {
      case 0:
        return `${at} level=info msg="RunPodSandbox for &PodSandboxMetadata{Name:${pod.name},Uid:${pod.uid},Namespace:${pod.namespace},Attempt:0,} returns sandbox id \\"${rng.pick(ids)}\\""`;
      case 1:
        return `${at} level=info msg="CreateContainer within sandbox \\"${rng.pick(ids)}\\" for container &ContainerMetadata{Name:${pod.containers[0]!.name},Attempt:${pod.restarts},}"`;
      case 2:
        return `${at} level=info msg="StartContainer for \\"${rng.pick(ids)}\\" returns successfully"`;
      case 3:
        return `${at} level=info msg="ImageCreate event name:\\"${pod.containers[0]!.image}\\" labels:{key:\\"io.cri-containerd.image\\" value:\\"managed\\"}"`;
      default:
        return `${at} level=error msg="ContainerStatus for \\"${rng.pick(ids)}\\" failed" error="rpc error: code = NotFound desc = an error occurred when try to find container \\"${rng.pick(ids)}\\": not found"`;
    }
  });
}

export function kernelJournal(world: World, host: HostSpec, size: number, seedPath: string): Generator<Buffer> {
  const rng = new Rng(seedPath);
  const end = world.collectedAt.getTime();
  const header = [
    `${isoMicros(end - WINDOW_MS - 120_000, rng)} ${host.name} kernel: Linux version 6.1.0-25-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.106-3 (2024-08-26)`,
  ];
  return sizedLog(size, end, 120, rng, header, (t) => {
    const at = `${isoMicros(t, rng)} ${host.name} kernel:`;
    const cali = `cali${rng.hex(11)}`;
    switch (rng.int(4)) {
      case 0:
        return `${at} IPv6: ADDRCONF(NETDEV_CHANGE): ${cali}: link becomes ready`;
      case 1:
        return `${at} ${cali}: entered promiscuous mode`;
      case 2:
        return `${at} audit: type=1400 audit(${Math.floor(t / 1000)}.${rng.range(100, 999)}:${rng.range(100, 9999)}): apparmor="STATUS" operation="profile_replace" info="same as current profile, skipping" profile="cri-containerd.apparmor.d" pid=${rng.range(1000, 60000)} comm="apparmor_parser"`;
      default:
        return `${at} vxlan.calico: ${rng.chance(0.5) ? 'entered' : 'left'} promiscuous mode`;
    }
  });
}

export function pveFirewallJournal(world: World, host: HostSpec, size: number, seedPath: string): Generator<Buffer> {
  const rng = new Rng(seedPath);
  const end = world.collectedAt.getTime();
  return sizedLog(size, end, 90, rng, [], (t) => `${isoMicros(t, rng)} ${host.name} pve-firewall[${rng.range(1000, 1100)}]: status update error: ${rng.chance(0.5) ? 'iptables_restore_cmdlist: Try `iptables-restore -h\' for more information.' : 'firewall update time (5.012 seconds)'}`);
}

const PATHS = ['/', '/api/v1/items', '/api/v1/users/me', '/healthz', '/static/app.js', '/login', '/api/v1/search?q=lamp', '/metrics'];
const AGENTS = ['Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0', 'kube-probe/1.30', 'Prometheus/2.54.1', 'curl/8.5.0', 'HomeAssistant/2024.9.1 aiohttp/3.10.5 Python/3.12'];

/** A container's log in the style its image writes; the ingress controller also reports the planted Service. */
export function containerLog(world: World, pod: PodSpec, container: ContainerSpec, previous: boolean, size: number, seedPath: string): Generator<Buffer> {
  const rng = new Rng(seedPath);
  const end = previous ? world.collectedAt.getTime() - 3600_000 : world.collectedAt.getTime();
  const broken = world.brokenService;
  const header = container.style === 'klog' || container.style === 'nginx' ? [`${klog('I', end - WINDOW_MS, rng, 1, 'main.go:64')} "Starting" version="${container.image.split(':')[1] ?? 'latest'}"`] : [];
  return sizedLog(size, end, 170, rng, header, (t) => {
    const peer = rng.pick(world.pods);
    switch (container.style) {
      case 'klog':
        return rng.chance(0.9)
          ? `${klog('I', t, rng, 1, 'controller.go:' + rng.range(100, 900))} "Syncing" key="${peer.namespace}/${peer.name}" duration="${rng.range(1, 900)}.${rng.range(100, 999)}us"`
          : `${klog('E', t, rng, 1, 'reflector.go:150')} "Unhandled Error" err="k8s.io/client-go/informers/factory.go:160: Failed to watch *v1.Pod: the server has asked for the client to try again later"`;
      case 'logfmt':
        return `${new Date(t).toISOString().replace('T', ' ').slice(0, 23)} [INFO][${rng.range(50, 90)}] felix/int_dataplane.go ${rng.range(1000, 2100)}: Received *proto.WorkloadEndpointUpdate update from calculation graph msg=id:<orchestrator_id:"k8s" workload_id:"${peer.namespace}/${peer.name}" endpoint_id:"eth0" > endpoint:<state:"active" name:"cali${rng.hex(11)}" ipv4_nets:"${peer.ip}/32" >`;
      case 'nginx': {
        if (pod.namespace === 'ingress-nginx' && rng.chance(0.01)) {
          return `${klog('W', t, rng, 7, 'controller.go:1214')} Service "${broken.namespace}/${broken.name}" does not have any active Endpoint.`;
        }
        const d = new Date(t).toUTCString().split(' ');
        const svc = rng.pick(world.services);
        const bytes = rng.range(100, 90000);
        const secs = (rng.range(1, 900) / 1000).toFixed(3);
        return `192.168.10.${rng.range(2, 250)} - - [${d[1]}/${d[2]}/${d[3]}:${d[4]} +0000] "GET ${rng.pick(PATHS)} HTTP/1.1" ${rng.chance(0.95) ? 200 : 502} ${bytes} "-" "${rng.pick(AGENTS)}" ${rng.range(200, 600)} ${secs} [${svc.namespace}-${svc.name}-${svc.port}] [] ${peer.ip}:8080 ${bytes} ${secs} 200 ${rng.hex(32)}`;
      }
      case 'coredns':
        return `[INFO] ${peer.ip}:${rng.range(30000, 60000)} - ${rng.range(1, 65535)} "A IN ${rng.pick(world.services).name}.${peer.namespace}.svc.cluster.local. udp ${rng.range(40, 90)} false 512" NOERROR qr,aa,rd ${rng.range(90, 200)} 0.000${rng.range(100, 999)}s`;
      default:
        return `{"level":"${rng.chance(0.95) ? 'info' : 'error'}","ts":"${new Date(t).toISOString()}","caller":"server/handler.go:${rng.range(20, 400)}","msg":"request served","method":"GET","path":"${rng.pick(PATHS)}","status":${rng.chance(0.97) ? 200 : 500},"duration_ms":${rng.range(1, 2000) / 10},"remote":"${peer.ip}"}`;
    }
  });
}

/** The whole log of one run of the planted app-error crash loop: it starts, cannot reach its database, exits 1. */
export function crashedRunLog(world: World, pod: PodSpec, container: ContainerSpec, previous: boolean, rng: Rng): string {
  // kubelet backs off 5 minutes between runs; each run lasts a couple of seconds.
  const start = world.collectedAt.getTime() - (previous ? 600_000 : 300_000) + rng.int(60_000);
  const db = `postgres.${pod.namespace}.svc.cluster.local:5432`;
  const err = `dial tcp 10.96.${rng.range(0, 3)}.${rng.range(2, 250)}:5432: connect: connection refused`;
  const at = (ms: number) => new Date(start + ms);
  const version = container.image.split(':')[1] ?? 'latest';
  let lines: string[];
  switch (container.style) {
    case 'klog':
      lines = [
        `${klog('I', start, rng, 1, 'main.go:64')} "Starting" version="${version}"`,
        `${klog('I', start + 40, rng, 1, 'db.go:51')} "Connecting to database" address="${db}"`,
        `${klog('E', start + 1080, rng, 1, 'db.go:58')} "Failed to connect to database" err="${err}" attempt=3`,
        `${klog('F', start + 1090, rng, 1, 'main.go:88')} cannot start without a database: ${err}`,
      ];
      break;
    case 'nginx': {
      const d = (ms: number) => at(ms).toISOString().replace(/-/g, '/').replace('T', ' ').slice(0, 19);
      lines = [
        `${d(0)} [notice] 1#1: using the "epoll" event method`,
        `${d(5)} [emerg] 1#1: host not found in upstream "backend.${pod.namespace}.svc.cluster.local:8080" in /etc/nginx/conf.d/default.conf:14`,
        `nginx: [emerg] host not found in upstream "backend.${pod.namespace}.svc.cluster.local:8080" in /etc/nginx/conf.d/default.conf:14`,
      ];
      break;
    }
    case 'json':
      lines = [
        `{"level":"info","ts":"${at(0).toISOString()}","caller":"cmd/main.go:41","msg":"starting server","version":"${version}"}`,
        `{"level":"info","ts":"${at(35).toISOString()}","caller":"store/db.go:27","msg":"connecting to database","address":"${db}"}`,
        `{"level":"fatal","ts":"${at(1090).toISOString()}","caller":"cmd/main.go:63","msg":"cannot connect to database: ${err}"}`,
      ];
      break;
    default:
      lines = [
        `time="${at(0).toISOString()}" level=info msg="starting" version=${version}`,
        `time="${at(35).toISOString()}" level=info msg="connecting to database" address="${db}"`,
        `time="${at(1090).toISOString()}" level=fatal msg="cannot connect to database" error="${err}"`,
      ];
  }
  return `${lines.join('\n')}\n`;
}
