/**
 * Issue 9 §4: `npm run demo -- --kube-context NAME` run as a user runs it, on an existing cluster
 * the demo did not start: a local control plane (kwok nodes in three zones) reached through a
 * named context of a kubeconfig file that $KUBECONFIG points at, and the Pulumi CLI found on PATH
 * (the e2e toolchain's bin dir, put there as an installed CLI would be). The cluster is read
 * through the API before and after: the demo must leave it as it found it.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { ControlPlane, startControlPlane } from "../../localenv/cluster/controlPlane";
import { KubeApiError } from "../../localenv/cluster/kubeApi";
import { serviceAccountToken, tokenFileKubeconfig, useToken } from "./harness/shippedRbac";
import { CLUSTER_TOOLCHAIN_BUILD_TIMEOUT_MS } from "../../localenv/cluster/toolchain";
import { ProcessRun, startProcess } from "../../localenv/engine/childProcess";
import { REPOSITORY } from "../../localenv/engine/pulumiProject";
import { kubeApiFor, loadKubeContext } from "../../demo/contextCluster";
import { pulumiToolchain, TOOLCHAIN_BUILD_TIMEOUT_MS } from "../../localenv/engine/toolchain";

const CONTEXT = "apim-demo-lab";
/** The kubeconfig's current context, on a cluster nothing answers at: the demo must use the one it is given. */
const CURRENT_CONTEXT = "somewhere-else";
const NOWHERE = "https://127.0.0.1:9";
const NAMESPACE = "apim-gateway";
const STATIC_VOLUME = "gateway-backup";
/** A whole demo run: deploy, rotate, destroy (about a minute and a half on 2 shared cores). */
const DEMO_TIMEOUT_MS = 15 * 60_000;
/** A refusal comes before anything starts: only the program's own start-up. */
const REFUSAL_TIMEOUT_MS = 2 * 60_000;

describe("npm run demo -- --kube-context NAME: an existing cluster and the pulumi on PATH", function () {
    this.timeout(CLUSTER_TOOLCHAIN_BUILD_TIMEOUT_MS + TOOLCHAIN_BUILD_TIMEOUT_MS + DEMO_TIMEOUT_MS);

    let cluster: ControlPlane;
    let dir: string;
    let kubeconfigFile: string;
    let pulumiBinDir: string;

    before(async () => {
        pulumiBinDir = (await pulumiToolchain()).binDir;
        cluster = await startControlPlane();
        dir = mkdtempSync(path.join(tmpdir(), "apim-demo-context-"));
        // The harness's admin kubeconfig, renamed, next to a second context (the current one) on another cluster.
        const document = parse(cluster.kubeconfig) as {
            clusters: { name: string; cluster: object }[];
            users: { name: string }[];
            contexts: { name: string; context: object }[];
        };
        document.clusters[0].name = CONTEXT;
        document.clusters.push({
            name: CURRENT_CONTEXT,
            cluster: {
                server: NOWHERE,
                "certificate-authority-data": (document.clusters[0].cluster as Record<string, string>)["certificate-authority-data"],
            },
        });
        document.users[0].name = CONTEXT;
        document.contexts = [
            { name: CURRENT_CONTEXT, context: { cluster: CURRENT_CONTEXT, user: CONTEXT } },
            { name: CONTEXT, context: { cluster: CONTEXT, user: CONTEXT } },
        ];
        kubeconfigFile = path.join(dir, "config");
        writeFileSync(kubeconfigFile, stringify({ ...document, "current-context": CURRENT_CONTEXT }), { mode: 0o600 });
    });

    after(async () => {
        await cluster?.stop();
        if (dir !== undefined) {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    /** The environment of a user's shell: their PATH (with or without a Pulumi CLI), KUBECONFIG and Pulumi home. */
    function userEnvironment(options: { pulumiOnPath: boolean }): Record<string, string> {
        const inherited = Object.fromEntries(
            Object.entries(process.env).filter(
                (entry): entry is [string, string] => entry[1] !== undefined && !/^(PULUMI_|KUBECONFIG$)/.test(entry[0]),
            ),
        );
        const systemPath = [path.dirname(process.execPath), "/usr/local/bin", "/usr/bin", "/bin"];
        return {
            ...inherited,
            PATH: [...(options.pulumiOnPath ? [pulumiBinDir] : []), ...systemPath].join(path.delimiter),
            KUBECONFIG: kubeconfigFile,
            PULUMI_HOME: path.join(dir, "pulumi-home"),
        };
    }

    function demo(args: readonly string[], options: { pulumiOnPath: boolean; timeoutMs: number }): Promise<ProcessRun> {
        return startProcess("npm", ["run", "demo", "--", ...args], {
            cwd: REPOSITORY,
            env: userEnvironment(options),
            timeoutMs: options.timeoutMs,
        }).done;
    }

    async function absent(objectPath: string): Promise<boolean> {
        try {
            await cluster.api.get(objectPath);
            return false;
        } catch (error) {
            if (error instanceof KubeApiError && error.statusCode === 404) {
                return true;
            }
            throw error;
        }
    }

    /** The demo's own line on stderr (npm adds none with a failing script's exit code before it). */
    const demoLines = (run: ProcessRun) => run.stderr.split("\n").filter((line) => line.startsWith("demo: "));

    it("refuses a context the kubeconfig does not have, naming the ones it has (exit 2, one line)", async () => {
        const run = await demo(["--kube-context", "kind-nowhere"], { pulumiOnPath: true, timeoutMs: REFUSAL_TIMEOUT_MS });
        assert.equal(run.code, 2, run.stderr);
        assert.deepEqual(demoLines(run), [
            `demo: context "kind-nowhere" is not in ${kubeconfigFile} (contexts there: ${CURRENT_CONTEXT}, ${CONTEXT})`,
        ]);
    });

    it("refuses without a pulumi on PATH, saying how to install one or do without (exit 2, one line)", async () => {
        const run = await demo(["--kube-context", CONTEXT], { pulumiOnPath: false, timeoutMs: REFUSAL_TIMEOUT_MS });
        assert.equal(run.code, 2, run.stderr);
        const lines = demoLines(run);
        assert.equal(lines.length, 1, run.stderr);
        assert.match(lines[0], /runs the pulumi CLI on PATH, and there is none: install it .* or drop --kube-context/);
    });

    it("refuses a kubeconfig that does not exist (exit 2, one line)", async () => {
        const missing = path.join(dir, "no-such-config");
        const run = await demo(["--kube-context", CONTEXT, "--kubeconfig", missing], { pulumiOnPath: true, timeoutMs: REFUSAL_TIMEOUT_MS });
        assert.equal(run.code, 2, run.stderr);
        const lines = demoLines(run);
        assert.equal(lines.length, 1, run.stderr);
        assert.match(lines[0], new RegExp(`^demo: no kubeconfig: ${missing} does not exist`));
    });

    it(
        "reads a bearer-token context (a ServiceAccount's token in a " +
            "tokenFile next to the kubeconfig) and authenticates as that account",
        async () => {
            const account = { name: "demo-reader", namespace: "default" };
            useToken(path.join(dir, "reader.token"), await serviceAccountToken(cluster.api, account));
            const file = path.join(dir, "token-config");
            writeFileSync(file, tokenFileKubeconfig(cluster.server, cluster.caFile, "reader.token"), { mode: 0o600 });
            const context = await loadKubeContext("identity", file, {});
            assert.deepEqual(context.auth, { kind: "token", token: { file: path.join(dir, "reader.token") } });
            const api = await kubeApiFor(context);
            try {
                // The account has no role: the API server says who it took the caller for.
                await assert.rejects(
                    api.get("/api/v1/nodes"),
                    (error: Error) =>
                        error instanceof KubeApiError &&
                        error.statusCode === 403 &&
                        error.message.includes(`User "system:serviceaccount:default:demo-reader" cannot list`),
                );
            } finally {
                api.close();
                await cluster.api.delete(`/api/v1/namespaces/default/serviceaccounts/${account.name}`);
            }
        },
    );

    it(
        "deploys the prod example there, shows the spread, rotates " + "with every replica available, and leaves the cluster as found",
        async () => {
            assert.ok(await absent(`/api/v1/namespaces/${NAMESPACE}`), "the cluster starts without the demo's namespace");
            const run = await demo(["--kube-context", CONTEXT], { pulumiOnPath: true, timeoutMs: DEMO_TIMEOUT_MS });
            process.stdout.write(
                `${run.stdout.replace(/^/gm, "      > ")}\n      demo exited ${run.code} after ${(run.ms / 1000).toFixed(1)} s\n`,
            );
            assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
            const out = run.stdout;

            // Nothing built, nothing started but the emulators: the user's cluster and CLI.
            assert.doesNotMatch(out, /building|local control plane/i);
            assert.match(
                out,
                new RegExp(`Context "${CONTEXT}": ${cluster.server} \\(kubeconfig ${kubeconfigFile}\\), zones zone-a, zone-b, zone-c\\.`),
            );
            assert.ok(out.includes(`the Pulumi CLI is ${path.join(pulumiBinDir, "pulumi")}`), out);
            assert.match(out, new RegExp(`cluster +context "${CONTEXT}", ${cluster.server}, kubeconfig ${kubeconfigFile}`));

            // Deployed and spread, before and after the rotation.
            const spreads = out.match(/Deployment apim-gateway\/\S+: 3 of 3 pods Ready[\s\S]*?spread over 3 of 3 zones/g) ?? [];
            assert.equal(spreads.length, 2, out);
            // Rotated, every replica available throughout.
            assert.match(out, /\| .*\brotated\b/);
            assert.match(out, /During the roll: at least 3 of 3 replicas available and 3 ready endpoints/);

            // Cleaned up: the stack destroyed, the demo's volume deleted, as the API confirms.
            assert.match(
                out,
                new RegExp(
                    /Cleaned up in [\d.]+ s: stack destroyed \(namespace apim-gateway deleted\), PersistentVolume /.source +
                        /gateway-backup deleted; the cluster is as the demo found it\./.source,
                ),
            );
            assert.ok(await absent(`/api/v1/namespaces/${NAMESPACE}`), "namespace apim-gateway is gone");
            assert.ok(await absent(`/api/v1/persistentvolumes/${STATIC_VOLUME}`), "the static volume is gone");
        },
    );
});
