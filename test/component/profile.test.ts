import { strict as assert } from "node:assert";
import { SelfHostedGatewayArgs } from "../../components";
import { build, expectRejected, gatewayContainer, K8S, object, resource } from "./support";

interface GuidanceCase {
    title: string;
    args: Partial<SelfHostedGatewayArgs>;
    /** The core message, identical in the production error and the development warning. */
    message: string[];
    /** What development builds anyway. */
    rendered: (b: Awaited<ReturnType<typeof build>>) => void;
}

/** The warnings that stand for a production rule allowed by the development profile (not advisories such as an adopted namespace's). */
const guidanceWarnings = (warnings: string[]): string[] =>
    warnings.filter((warning) => warning.endsWith('Allowed by profile "development".'));

const UNSAFE: GuidanceCase[] = [
    {
        title: "fewer than 2 replicas",
        args: { replicas: 1 },
        message: ["`replicas` is 1", "at least 2", "Set replicas to 2 or more"],
        rendered: ({ recorder }) => assert.equal(object(recorder, K8S.deployment).spec.replicas, 1),
    },
    {
        title: "an autoscaler minimum below 2",
        args: { autoscaling: { minReplicas: 1, maxReplicas: 5 } },
        message: ["`autoscaling.minReplicas` is 1", "at least 2", "Set autoscaling.minReplicas to 2 or more"],
        rendered: ({ recorder }) => assert.equal(object(recorder, K8S.hpa).spec.minReplicas, 1),
    },
    ...["latest", "v2", "v2-preview", "2.11", "stable"].map((tag) => ({
        title: `the moving tag "${tag}"`,
        args: { image: { tag } },
        message: ["`image.tag`", `"${tag}" is a moving tag`, "Pin a specific version such as 2.11.1, or set image.digest"],
        rendered: ({ recorder }: Awaited<ReturnType<typeof build>>) =>
            assert.equal(gatewayContainer(recorder).image, `mcr.microsoft.com/azure-api-management/gateway:${tag}`),
    })),
    {
        title: 'the "default" namespace',
        args: { namespace: { name: "default", create: false } },
        message: ["`namespace.name`", '"default"', "dedicated namespace"],
        rendered: ({ recorder }) => assert.equal(object(recorder, K8S.deployment).metadata.namespace, "default"),
    },
    ...["kube-system", "kube-public", "kube-node-lease"].map((name) => ({
        title: `the system namespace "${name}"`,
        args: { namespace: { name, create: false } },
        message: ["`namespace.name`", `"${name}"`, "dedicated namespace"],
        rendered: ({ recorder }: Awaited<ReturnType<typeof build>>) =>
            assert.equal(object(recorder, K8S.deployment).metadata.namespace, name),
    })),
    {
        title: "a node syslog socket in a namespace whose Pod Security level forbids hostPath",
        args: {
            namespace: { labels: { "pod-security.kubernetes.io/enforce": "restricted" } },
            observability: { logs: { local: { type: "localsyslog" } } },
        },
        message: ["`observability.logs.local`", "hostPath", 'Pod Security level "restricted"', "Set observability.logs.local.endpoint"],
        rendered: ({ recorder }) =>
            assert.ok(object(recorder, K8S.deployment).spec.template.spec.volumes.some((v: { hostPath?: unknown }) => v.hostPath)),
    },
    {
        title: "a LoadBalancer Service without an exposure choice (kept public: no internal annotation)",
        args: { service: { type: "LoadBalancer" } },
        message: ["`service.exposure` is not set", "public IP", '"internal"', '"public"'],
        rendered: ({ recorder }) => {
            const service = object(recorder, K8S.service, "contoso-gw-live-traffic");
            assert.equal(service.spec.type, "LoadBalancer");
            assert.equal(service.metadata.annotations, undefined);
        },
    },
    {
        title: "a token renewed fewer than 3 days before expiry",
        args: { token: { renewBeforeDays: 2 } },
        message: ["`token.renewBeforeDays` is 2", "at least 3", "retries left"],
        rendered: ({ recorder }) => assert.equal(recorder.one("pulumi-nodejs:dynamic/apim-gateway:GatewayToken").inputs.renewBeforeDays, 2),
    },
    {
        title: "no CPU request",
        args: { resources: { requests: { memory: "2Gi" } } },
        message: ["`resources.requests.cpu` is missing", "Set resources.requests.cpu"],
        rendered: ({ recorder }) => assert.deepEqual(gatewayContainer(recorder).resources.requests, { memory: "2Gi" }),
    },
    {
        title: "no memory request",
        args: { resources: { requests: { cpu: "1" } } },
        message: ["`resources.requests.memory` is missing", "Set resources.requests.memory"],
        rendered: ({ recorder }) => assert.deepEqual(gatewayContainer(recorder).resources.requests, { cpu: "1" }),
    },
];

describe("SelfHostedGateway: profile", () => {
    describe('"production" (the default) rejects unsafe values at construction', () => {
        for (const c of UNSAFE) {
            it(`rejects ${c.title}`, async () => {
                await expectRejected(c.args, ...c.message, 'profile: "development"');
                await expectRejected({ ...c.args, profile: "production" }, ...c.message);
            });
        }

        it("rejects empty resource requests naming both cpu and memory", async () => {
            await expectRejected(
                { resources: { requests: {} } },
                "2 invalid arguments",
                "`resources.requests.cpu` is missing",
                "`resources.requests.memory` is missing",
            );
        });

        it("accepts its own defaults without a warning", async () => {
            const { warnings, recorder } = await build();
            assert.deepEqual(warnings, []);
            assert.ok(recorder.resources.length > 0);
        });

        it(
            "accepts renewBeforeDays 3, local syslog to an endpoint in a " +
                "restricted namespace, and an existing namespace's unknown level",
            async () => {
                const restricted = { labels: { "pod-security.kubernetes.io/enforce": "restricted" } };
                assert.deepEqual((await build({ token: { renewBeforeDays: 3 } })).warnings, []);
                assert.deepEqual(
                    (
                        await build({
                            namespace: restricted,
                            observability: { logs: { local: { type: "localsyslog", endpoint: "127.0.0.1:514" } } },
                        })
                    ).warnings,
                    [],
                );
                assert.deepEqual(
                    (
                        await build({
                            namespace: { labels: { "pod-security.kubernetes.io/enforce": "privileged" } },
                            observability: { logs: { local: { type: "localsyslog" } } },
                        })
                    ).warnings,
                    [],
                );
            },
        );

        it("accepts a moving tag when a digest pins the image", async () => {
            const digest = `sha256:${"0123456789abcdef".repeat(4)}`;
            const { recorder, warnings } = await build({ image: { tag: "v2", digest } });
            assert.equal(gatewayContainer(recorder).image, `mcr.microsoft.com/azure-api-management/gateway@${digest}`);
            assert.deepEqual(warnings, []);
        });
    });

    describe('"development" allows each unsafe value with a warning carrying the same message', () => {
        for (const c of UNSAFE) {
            it(`allows ${c.title}`, async () => {
                const built = await build({ ...c.args, profile: "development" });
                const allowed = guidanceWarnings(built.warnings);
                assert.equal(allowed.length, 1, `warnings: ${JSON.stringify(built.warnings)}`);
                for (const fragment of c.message) {
                    assert.ok(allowed[0].includes(fragment), `warning ${JSON.stringify(allowed[0])} lacks ${JSON.stringify(fragment)}`);
                }
                resource(built.recorder, K8S.deployment);
                c.rendered(built);
            });
        }

        it("warns once per violation", async () => {
            const { warnings } = await build({
                profile: "development",
                replicas: 1,
                image: { tag: "latest" },
                namespace: { name: "default", create: false },
            });
            assert.equal(guidanceWarnings(warnings).length, 3);
        });

        it("is silent with safe values", async () => {
            const { warnings } = await build({ profile: "development" });
            assert.deepEqual(warnings, []);
        });
    });
});
