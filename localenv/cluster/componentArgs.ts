/**
 * The command lines of the control plane's processes: every listener on 127.0.0.1, every
 * client authenticated by a certificate from the run's test CA.
 */
import * as path from "node:path";
import { ControlPlaneCertificates } from "./certificates";
import { KWOK_NODE_SELECTOR } from "./nodes";
import { LOOPBACK } from "./ports";

/**
 * ClusterIPs come from a loopback range: they are only ever data here (no kube-proxy), and
 * this keeps every address the control plane holds inside 127.0.0.0/8.
 */
export const SERVICE_CIDR = "127.96.0.0/24";
/** The `kubernetes` Service's ClusterIP: the first address of SERVICE_CIDR. */
export const KUBERNETES_SERVICE_IP = "127.96.0.1";
/**
 * Pod IPs kwok hands out. EndpointSlice validation refuses loopback addresses, so these come
 * from TEST-NET-1 (RFC 5737, documentation only): never routed, and nothing here connects to them.
 */
export const POD_CIDR = "192.0.2.0/24";
/** Issuer of service-account tokens (what in-cluster clients see). */
export const SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local";

/** The port of each listener. */
export interface Ports {
    readonly etcdClient: number;
    readonly etcdPeer: number;
    readonly apiServer: number;
    readonly controllerManager: number;
    readonly scheduler: number;
    readonly kwok: number;
}

export function etcdArgs(dir: string, ports: Ports): string[] {
    const client = `http://${LOOPBACK}:${ports.etcdClient}`;
    const peer = `http://${LOOPBACK}:${ports.etcdPeer}`;
    return [
        "--name=etcd",
        `--data-dir=${path.join(dir, "etcd")}`,
        `--listen-client-urls=${client}`,
        `--advertise-client-urls=${client}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=etcd=${peer}`,
        // Throw-away data: durability is not worth the fsync latency on a shared disk.
        "--unsafe-no-fsync",
        "--log-level=warn",
    ];
}

export function apiServerArgs(certs: ControlPlaneCertificates, ports: Ports): string[] {
    return [
        `--etcd-servers=http://${LOOPBACK}:${ports.etcdClient}`,
        `--bind-address=${LOOPBACK}`,
        `--advertise-address=${LOOPBACK}`,
        `--secure-port=${ports.apiServer}`,
        `--tls-cert-file=${certs.serving.certFile}`,
        `--tls-private-key-file=${certs.serving.keyFile}`,
        `--client-ca-file=${certs.caFile}`,
        "--authorization-mode=Node,RBAC",
        "--enable-admission-plugins=NodeRestriction,PodSecurity",
        // As kubeadm and managed clusters run it: Pod Security admission, not this flag, is what refuses privileged pods.
        "--allow-privileged=true",
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
        `--service-account-key-file=${certs.serviceAccountPublicKeyFile}`,
        `--service-account-signing-key-file=${certs.serviceAccountKeyFile}`,
        // The `kubernetes` EndpointSlice would carry 127.0.0.1, which its validation refuses.
        "--endpoint-reconciler-type=none",
        "--profiling=false",
    ];
}

/** Flags the controller manager and the scheduler share: who they are, where they serve. */
export function componentArgs(kubeconfigFile: string, certs: ControlPlaneCertificates, port: number): string[] {
    return [
        `--kubeconfig=${kubeconfigFile}`,
        `--authentication-kubeconfig=${kubeconfigFile}`,
        `--authorization-kubeconfig=${kubeconfigFile}`,
        `--bind-address=${LOOPBACK}`,
        `--secure-port=${port}`,
        `--tls-cert-file=${certs.serving.certFile}`,
        `--tls-private-key-file=${certs.serving.keyFile}`,
        // Callers are authenticated against the test CA directly; the API server publishes no
        // front-proxy CA for the component to look up.
        `--client-ca-file=${certs.caFile}`,
        "--authentication-skip-lookup",
        // One instance each: no lease to wait for.
        "--leader-elect=false",
        "--profiling=false",
    ];
}

export function controllerManagerArgs(kubeconfigFile: string, certs: ControlPlaneCertificates, ports: Ports): string[] {
    return [
        ...componentArgs(kubeconfigFile, certs, ports.controllerManager),
        `--service-account-private-key-file=${certs.serviceAccountKeyFile}`,
        `--root-ca-file=${certs.caFile}`,
        "--use-service-account-credentials=true",
        // Starting some forty controllers, each with its own service-account client, at the
        // default 20 requests per second takes seconds; the local API server has room to spare.
        "--kube-api-qps=200",
        "--kube-api-burst=400",
    ];
}

export function kwokArgs(kubeconfigFile: string, configFile: string, certs: ControlPlaneCertificates, ports: Ports): string[] {
    return [
        `--kubeconfig=${kubeconfigFile}`,
        `--config=${configFile}`,
        `--manage-nodes-with-annotation-selector=${KWOK_NODE_SELECTOR}`,
        `--cidr=${POD_CIDR}`,
        // Nodes' InternalIP and kubelet port: kwok's own server, so the API server's log and
        // exec requests stay on loopback.
        `--node-ip=${LOOPBACK}`,
        `--node-port=${ports.kwok}`,
        // Without an explicit address kwok would listen on 0.0.0.0:<node-port>.
        `--server-address=${LOOPBACK}:${ports.kwok}`,
        `--tls-cert-file=${certs.serving.certFile}`,
        `--tls-private-key-file=${certs.serving.keyFile}`,
        // Heartbeats through node leases, as kubelets do (kwokctl's default).
        "--node-lease-duration-seconds=40",
    ];
}
