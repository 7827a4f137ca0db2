/**
 * The control plane's certificates, made with the openssl CLI: one test CA, one serving
 * certificate for every loopback listener, a client certificate per component, and the
 * service-account signing key. P-256 keys: generated in milliseconds, accepted by every component.
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { LOOPBACK } from "./ports";

const run = promisify(execFile);

/** A certificate and its private key (PEM files). */
export interface KeyPair {
    readonly certFile: string;
    readonly keyFile: string;
}

/** Every file the control plane's processes read. */
export interface ControlPlaneCertificates {
    /** The test CA every client trusts and the API server checks client certificates against. */
    readonly caFile: string;
    /** Served on 127.0.0.1 by the API server, controller manager, scheduler and kwok. */
    readonly serving: KeyPair;
    /** `kubernetes-admin` in `system:masters`: the kubeconfig's user. */
    readonly admin: KeyPair;
    /** `system:kube-controller-manager`, bound by the API server's bootstrap RBAC. */
    readonly controllerManager: KeyPair;
    /** `system:kube-scheduler`, bound by the API server's bootstrap RBAC. */
    readonly scheduler: KeyPair;
    /** kwok writes node and pod status, leases and deletions as the kubelets it stands in for; `system:masters`. */
    readonly kwok: KeyPair;
    /** Signs service-account tokens (API server, controller manager). */
    readonly serviceAccountKeyFile: string;
    /** Verifies them (API server). */
    readonly serviceAccountPublicKeyFile: string;
}

/** Covers a test run with margin; the directory is removed at teardown. */
const VALIDITY_DAYS = "7";
const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

async function openssl(args: readonly string[]): Promise<void> {
    try {
        await run("openssl", args);
    } catch (error) {
        const stderr = (error as { stderr?: string }).stderr ?? "";
        throw new Error(`openssl ${args[0]} failed (is the openssl CLI installed?): ${(error as Error).message}\n${stderr}`);
    }
}

/** A leaf certificate signed by the CA, subject `subject` (e.g. `/O=system:masters/CN=admin`). */
async function leaf(dir: string, name: string, subject: string, extensions: readonly string[], ca: KeyPair): Promise<KeyPair> {
    const pair = { certFile: path.join(dir, `${name}.crt`), keyFile: path.join(dir, `${name}.key`) };
    await openssl([
        "req",
        "-x509",
        "-new",
        ...EC_KEY,
        "-keyout",
        pair.keyFile,
        "-out",
        pair.certFile,
        "-days",
        VALIDITY_DAYS,
        "-subj",
        subject,
        "-CA",
        ca.certFile,
        "-CAkey",
        ca.keyFile,
        "-addext",
        "basicConstraints=critical,CA:FALSE",
        "-addext",
        "keyUsage=critical,digitalSignature",
        ...extensions.flatMap((extension) => ["-addext", extension]),
    ]);
    return pair;
}

const client = (dir: string, name: string, subject: string, ca: KeyPair) => leaf(dir, name, subject, ["extendedKeyUsage=clientAuth"], ca);

/**
 * Writes the certificates and keys into `dir`. `serviceIp` is the `kubernetes` Service's
 * ClusterIP, which in-cluster clients would dial, so it is in the serving certificate too.
 */
export async function generateCertificates(dir: string, serviceIp: string): Promise<ControlPlaneCertificates> {
    const ca = { certFile: path.join(dir, "ca.crt"), keyFile: path.join(dir, "ca.key") };
    await openssl([
        "req",
        "-x509",
        "-new",
        ...EC_KEY,
        "-keyout",
        ca.keyFile,
        "-out",
        ca.certFile,
        "-days",
        VALIDITY_DAYS,
        "-subj",
        "/CN=apim-gateway-test-cluster-ca",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    const serviceNames = ["kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"];
    const subjectAltName = [`IP:${LOOPBACK}`, `IP:${serviceIp}`, "DNS:localhost", ...serviceNames.map((name) => `DNS:${name}`)].join(",");
    const serving = await leaf(
        dir,
        "serving",
        "/CN=kube-apiserver",
        [`subjectAltName=${subjectAltName}`, "extendedKeyUsage=serverAuth"],
        ca,
    );
    const [admin, controllerManager, scheduler, kwok] = await Promise.all([
        client(dir, "admin", "/O=system:masters/CN=kubernetes-admin", ca),
        client(dir, "kube-controller-manager", "/CN=system:kube-controller-manager", ca),
        client(dir, "kube-scheduler", "/CN=system:kube-scheduler", ca),
        client(dir, "kwok", "/O=system:masters/CN=kwok-controller", ca),
    ]);
    const serviceAccountKeyFile = path.join(dir, "service-account.key");
    const serviceAccountPublicKeyFile = path.join(dir, "service-account.pub");
    await openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", serviceAccountKeyFile]);
    await openssl(["pkey", "-in", serviceAccountKeyFile, "-pubout", "-out", serviceAccountPublicKeyFile]);
    return { caFile: ca.certFile, serving, admin, controllerManager, scheduler, kwok, serviceAccountKeyFile, serviceAccountPublicKeyFile };
}
