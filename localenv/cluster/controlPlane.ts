/**
 * A local Kubernetes control plane for `npm run demo` and the cluster tests (part of the local
 * environment, `localenv/`, which imports nothing from `test/`): etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler and kwok (simulated nodes and pods), built from Go
 * modules by toolchain/build.sh. Everything listens on 127.0.0.1 at free ports, with
 * certificates made for the run, and lives in one temporary directory that `stop()` removes.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { generateCertificates, KeyPair } from "./certificates";
import { apiServerArgs, componentArgs, controllerManagerArgs, etcdArgs, KUBERNETES_SERVICE_IP, kwokArgs, Ports } from "./componentArgs";
import { KubeApi } from "./kubeApi";
import { kubeconfig, writeKubeconfig } from "./kubeconfig";
import { writeKwokConfig } from "./kwokConfig";
import { isReady, nodeManifest, plannedNodes, SimulatedNode, WithConditions, ZONES } from "./nodes";
import { freePorts, LOOPBACK } from "./ports";
import { ComponentProcess } from "./processes";
import { clusterToolchain } from "./toolchain";
import { waitFor } from "./wait";

export { POD_CIDR, SERVICE_CIDR } from "./componentArgs";

/** What to start. */
export interface ControlPlaneOptions {
    /** Zones the simulated nodes are spread over. Default ZONES (zone-a, zone-b, zone-c). */
    readonly zones?: readonly string[];
    /** Simulated nodes in each zone. Default 1: one node per zone. */
    readonly nodesPerZone?: number;
    /** Directory holding the binaries. Default: the one build.sh prints (building them if not cached). */
    readonly binDir?: string;
    /** Limit for the whole start, binaries already built. Default 120 s (it takes 4–5 s on a 2-core machine). */
    readonly startTimeoutMs?: number;
    /**
     * How long a simulated pod takes from scheduled to Ready. Default POD_START_DELAY_MS (1 s);
     * the bench uses a real gateway's few seconds, so a rollout's wait weighs as it does in production.
     */
    readonly podStartDelayMs?: number;
}

/** Milliseconds from the start of `startControlPlane` (binaries already built) to each milestone. */
export interface StartTimings {
    readonly certificatesMs: number;
    readonly etcdReadyMs: number;
    readonly apiServerReadyMs: number;
    /** Controller manager, scheduler and kwok healthy. */
    readonly controllersReadyMs: number;
    /** Every simulated node Ready and the `default` ServiceAccount created: workloads can run. */
    readonly readyMs: number;
}

/** A running control plane. */
export interface ControlPlane {
    /** `https://127.0.0.1:<port>`. */
    readonly server: string;
    /** Admin kubeconfig (client certificate in `system:masters`), certificates embedded. */
    readonly kubeconfig: string;
    /** The same, as a file in the control plane's directory. */
    readonly kubeconfigFile: string;
    /** The CA that signed the API server's certificate (PEM file). */
    readonly caFile: string;
    /** An admin client for the API. */
    readonly api: KubeApi;
    readonly nodes: readonly SimulatedNode[];
    readonly timings: StartTimings;
    /** The temporary directory with certificates, etcd data, configuration and one log per component. */
    readonly dir: string;
    /** Process id of each component, by name (etcd, kube-apiserver, ...). */
    readonly pids: Readonly<Record<string, number>>;
    /** The last lines of each component's log, for a failing test's message. */
    logTails(lines?: number): string;
    /** Stops every process (SIGTERM, then SIGKILL) and removes `dir`. Safe to call twice. */
    stop(): Promise<void>;
}

/** The child environment: this process's, without a kubeconfig that could point a component elsewhere. */
function componentEnvironment(): NodeJS.ProcessEnv {
    const env = { ...process.env };
    delete env.KUBECONFIG;
    return env;
}

/** Starts the control plane, creates the simulated nodes and waits until workloads can run. */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
    const zones = options.zones ?? ZONES;
    const nodesPerZone = options.nodesPerZone ?? 1;
    if (zones.length === 0 || !Number.isInteger(nodesPerZone) || nodesPerZone < 1) {
        throw new Error(
            `startControlPlane needs at least one zone and a positive whole nodesPerZone (got ${zones.length} zones, ${nodesPerZone})`,
        );
    }
    const binDir = options.binDir ?? (await clusterToolchain()).binDir;
    const timeoutMs = options.startTimeoutMs ?? 120_000;
    const bin = (name: string) => path.join(binDir, name);

    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const deadline = () => Math.max(1, timeoutMs - elapsed());

    const dir = await mkdtemp(path.join(tmpdir(), "apim-gw-cluster-"));
    const processes: ComponentProcess[] = [];
    let api: KubeApi | undefined;
    let stopped = false;
    const stop = async () => {
        if (stopped) {
            return;
        }
        stopped = true;
        api?.close();
        // Reverse start order: clients before the API server, the API server before etcd.
        for (const component of [...processes].reverse()) {
            await component.stop();
        }
        await rm(dir, { recursive: true, force: true });
    };
    const logTails = (lines = 20) =>
        processes.map((component) => `--- ${component.name} (${component.logFile})\n${component.logTail(lines)}`).join("\n");
    const env = componentEnvironment();
    const start = (name: string, args: string[]) => {
        const component = ComponentProcess.start(name, bin(name), args, path.join(dir, `${name}.log`), env);
        processes.push(component);
        return component;
    };

    try {
        const [etcdClient, etcdPeer, apiServer, controllerManager, scheduler, kwok] = await freePorts(6);
        const ports: Ports = { etcdClient, etcdPeer, apiServer, controllerManager, scheduler, kwok };
        const server = `https://${LOOPBACK}:${ports.apiServer}`;

        const certDir = path.join(dir, "pki");
        await mkdir(certDir, { mode: 0o700 });
        const certs = await generateCertificates(certDir, KUBERNETES_SERVICE_IP);
        const kubeconfigFor = (name: string, user: KeyPair) =>
            writeKubeconfig(path.join(dir, `${name}.kubeconfig`), { server, caFile: certs.caFile, user, name });
        const [adminKubeconfigFile, controllerManagerKubeconfig, schedulerKubeconfig, kwokKubeconfig] = await Promise.all([
            kubeconfigFor("admin", certs.admin),
            kubeconfigFor("kube-controller-manager", certs.controllerManager),
            kubeconfigFor("kube-scheduler", certs.scheduler),
            kubeconfigFor("kwok", certs.kwok),
        ]);
        const kwokConfigFile = path.join(dir, "kwok.yaml");
        await writeKwokConfig(bin("kwok-stages"), kwokConfigFile, options.podStartDelayMs);
        const certificatesMs = elapsed();

        const etcd = start("etcd", etcdArgs(dir, ports));
        await waitFor(
            "etcd to report healthy",
            async () => {
                etcd.assertRunning();
                const response = await fetch(`http://${LOOPBACK}:${ports.etcdClient}/health`);
                return ((await response.json()) as { health?: string }).health === "true" ? true : undefined;
            },
            { timeoutMs: deadline() },
        );
        const etcdReadyMs = elapsed();

        const apiServerProcess = start("kube-apiserver", apiServerArgs(certs, ports));
        const admin = (api = await KubeApi.fromFiles(server, certs.caFile, certs.admin));
        await waitFor(
            "kube-apiserver /readyz",
            async () => {
                apiServerProcess.assertRunning();
                return (await admin.raw("GET", "/readyz")) === "ok" ? true : undefined;
            },
            { timeoutMs: deadline() },
        );
        const apiServerReadyMs = elapsed();

        const components = [
            {
                process: start("kube-controller-manager", controllerManagerArgs(controllerManagerKubeconfig, certs, ports)),
                port: ports.controllerManager,
            },
            { process: start("kube-scheduler", componentArgs(schedulerKubeconfig, certs, ports.scheduler)), port: ports.scheduler },
            { process: start("kwok", kwokArgs(kwokKubeconfig, kwokConfigFile, certs, ports)), port: ports.kwok },
        ];
        // Each serves /healthz with the test CA's serving certificate, so TLS is verified as for the API server.
        await Promise.all(
            components.map(({ process: component, port }) =>
                waitFor(
                    `${component.name} /healthz`,
                    async () => {
                        component.assertRunning();
                        return (await admin.raw("GET", `https://${LOOPBACK}:${port}/healthz`)) === "ok" ? true : undefined;
                    },
                    { timeoutMs: deadline() },
                ),
            ),
        );
        const controllersReadyMs = elapsed();

        const nodes = plannedNodes(zones, nodesPerZone);
        await Promise.all(nodes.map((node) => admin.create("/api/v1/nodes", nodeManifest(node))));
        const assertAllRunning = () => processes.forEach((component) => component.assertRunning());
        await waitFor(
            `${nodes.length} simulated nodes Ready`,
            async () => {
                assertAllRunning();
                const list = await admin.get<{ items: WithConditions[] }>("/api/v1/nodes");
                return list.items.filter(isReady).length === nodes.length ? true : undefined;
            },
            { timeoutMs: deadline(), intervalMs: 200 },
        );
        // Pods are refused until the service-account controller has created their namespace's `default` account.
        await waitFor(
            "the `default` ServiceAccount",
            async () => {
                assertAllRunning();
                return admin.get("/api/v1/namespaces/default/serviceaccounts/default");
            },
            { timeoutMs: deadline(), intervalMs: 200 },
        );
        const readyMs = elapsed();

        return {
            server,
            kubeconfig: await kubeconfig({ server, caFile: certs.caFile, user: certs.admin, name: "admin" }),
            kubeconfigFile: adminKubeconfigFile,
            caFile: certs.caFile,
            api: admin,
            nodes,
            timings: { certificatesMs, etcdReadyMs, apiServerReadyMs, controllersReadyMs, readyMs },
            dir,
            pids: Object.fromEntries(
                processes.flatMap((component) => (component.pid === undefined ? [] : [[component.name, component.pid]])),
            ),
            logTails,
            stop,
        };
    } catch (error) {
        const tails = logTails();
        await stop();
        throw new Error(`the local control plane did not start: ${(error as Error).message}\n${tails}`, { cause: error });
    }
}
