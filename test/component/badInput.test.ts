import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { SelfHostedGatewayArgs } from "../../components";
import { build, configData, expectRejected, gatewayContainer, podSpec } from "./support";

/** Arguments as a JavaScript caller may pass them: not held to the TypeScript types. */
function untyped(args: Record<string, unknown>): Partial<SelfHostedGatewayArgs> {
    return args as Partial<SelfHostedGatewayArgs>;
}

interface Case {
    title: string;
    args: Partial<SelfHostedGatewayArgs>;
    message: string[];
}

const WRONG_SHAPES: Case[] = [
    {
        title: "a string where the namespace object goes",
        args: untyped({ namespace: "default" }),
        message: ["`namespace` must be an object", 'got a string ("default")'],
    },
    {
        title: "a string where the image object goes",
        args: untyped({ image: "repo:tag" }),
        message: ["`image` must be an object", 'got a string ("repo:tag")'],
    },
    {
        title: "a string where a number goes",
        args: untyped({ replicas: "3" }),
        message: ["`replicas` must be a number", 'got a string ("3")'],
    },
    {
        title: "a number where a string goes, deep inside",
        args: untyped({ image: { tag: 2.11 } }),
        message: ["`image.tag` must be a string", "got a number (2.11)"],
    },
    { title: "a misspelt key at the top", args: untyped({ replica: 3 }), message: ['`args` has unknown key "replica"'] },
    {
        title: "a misspelt key inside an option",
        args: untyped({ service: { typ: "ClusterIP" } }),
        message: ['`service` has unknown key "typ"'],
    },
    {
        title: "an object where a list goes",
        args: untyped({ tolerations: { key: "a" } }),
        message: ["`tolerations` must be a list", "got an object"],
    },
    {
        title: "an unknown auth type",
        args: untyped({ auth: { type: "certificate" } }),
        message: ["`auth.type`", '"certificate"', '"token", "workloadIdentity", "azureAdApp"'],
    },
    {
        title: "a boolean given as a string",
        args: untyped({ networkPolicy: { enabled: "true" } }),
        message: ["`networkPolicy.enabled` must be a boolean", 'got a string ("true")'],
    },
    {
        title: "a setting value that is not a string",
        args: untyped({ configuration: { settings: { "net.server.http.forwarded.proto.enabled": true } } }),
        message: ['`configuration.settings["net.server.http.forwarded.proto.enabled"]` must be a string'],
    },
];

const BAD_KUBERNETES_OBJECTS: Case[] = [
    {
        title: "an env var with `vaule`",
        args: { env: [{ name: "A", vaule: "b" } as never] },
        message: ["`env[0].vaule` is not a field of this Kubernetes type", "kubectl explain"],
    },
    { title: "an env var without a name", args: { env: [{ value: "b" } as never] }, message: ['`env[0]` needs the field "name"'] },
    {
        title: "a misspelt key deep in an env source",
        args: { env: [{ name: "A", valueFrom: { secretKeyRef: { nam: "s", key: "k" } } } as never] },
        message: ["`env[0].valueFrom.secretKeyRef.nam` is not a field"],
    },
    {
        title: "a toleration with `efect`",
        args: { tolerations: [{ key: "a", operator: "Exists", efect: "NoSchedule" } as never] },
        message: ["`tolerations[0].efect` is not a field"],
    },
    {
        title: "a toleration with an unknown effect",
        args: { tolerations: [{ key: "a", operator: "Exists", effect: "NoScheduling" }] },
        message: ["`tolerations[0].effect` must be one of", '"NoSchedule"'],
    },
    {
        title: "a toleration with seconds as a string",
        args: { tolerations: [{ key: "a", operator: "Exists", effect: "NoExecute", tolerationSeconds: "30" as never }] },
        message: ["`tolerations[0].tolerationSeconds` must be of type integer"],
    },
    {
        title: "an affinity with a misspelt term",
        args: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerm: [] } as never } } },
        message: ["`affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerm` is not a field"],
    },
    {
        title: "a DNS config with `nameserver`",
        args: { dns: { policy: "None", config: { nameservers: ["10.0.0.10"], nameserver: ["10.0.0.11"] } as never } },
        message: ["`dns.config.nameserver` is not a field"],
    },
    {
        title: "a label selector value that is not a string, under a key holding '/' and '~'",
        args: {
            affinity: {
                podAffinity: {
                    requiredDuringSchedulingIgnoredDuringExecution: [
                        { labelSelector: { matchLabels: { "example.com/tier~1": 1 as never } }, topologyKey: "kubernetes.io/hostname" },
                    ],
                },
            },
        },
        message: [
            '`affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchLabels["example.com/tier~1"]` ' +
                "must be of type string",
        ],
    },
    {
        title: "a NetworkPolicy peer with `podSelecter`",
        args: { networkPolicy: { enabled: true, trafficFrom: [{ podSelecter: {} } as never] } },
        message: ["`networkPolicy.trafficFrom[0].podSelecter` is not a field"],
    },
];

const BAD_IDENTIFIERS: Case[] = [
    {
        title: "a service URL where the service name goes",
        args: { serviceName: "https://contoso.azure-api.net" },
        message: ["`serviceName`", "not an API Management service name", "not its URL"],
    },
    { title: "a service name with an underscore", args: { serviceName: "contoso_apim" }, message: ["`serviceName`", '"contoso_apim"'] },
    { title: "a service name over 50 characters", args: { serviceName: `a${"b".repeat(50)}` }, message: ["`serviceName`", "1 to 50"] },
    {
        title: "a gatewayId with a slash, even with a kubernetesName",
        args: { gatewayId: "west/eu", kubernetesName: "west-eu" },
        message: ["`gatewayId`", '"west/eu"', "must not contain"],
    },
    { title: "a gatewayId with a trailing space", args: { gatewayId: "west ", kubernetesName: "west" }, message: ["`gatewayId`", "space"] },
    {
        title: "an empty gatewayId, with a fix that fits",
        args: { gatewayId: "", kubernetesName: "gw" },
        message: ["`gatewayId` must be 1 to 80 characters, got 0", "Set gatewayId"],
    },
    {
        title: "a subscription id that is not a UUID",
        args: { existingGateway: true, location: undefined, subscriptionId: "my-subscription" },
        message: ["`subscriptionId`", "UUID"],
    },
    {
        title: "an http:// configuration endpoint",
        args: { configuration: { endpoint: "http://config.contoso.com" } },
        message: ["`configuration.endpoint`", "http:// URL", "unencrypted"],
    },
    {
        title: "an https URL with a path as configuration endpoint",
        args: { configuration: { endpoint: "https://config.contoso.com/x" } },
        message: ["`configuration.endpoint`", "no scheme, no path"],
    },
];

describe("SelfHostedGateway: bad input refused at the door (every profile)", () => {
    for (const [group, cases] of [
        ["argument shapes", WRONG_SHAPES],
        ["Kubernetes pass-through objects (the Kubernetes OpenAPI schema)", BAD_KUBERNETES_OBJECTS],
        ["identifiers", BAD_IDENTIFIERS],
    ] as const) {
        describe(group, () => {
            for (const c of cases) {
                it(`rejects ${c.title}`, async () => {
                    await expectRejected(c.args, ...c.message);
                    await expectRejected({ profile: "development", ...c.args }, ...c.message);
                });
            }
        });
    }

    it("reports every wrong shape at once, before any other rule", async () => {
        const error = await expectRejected(untyped({ namespace: "default", image: "repo:tag", replicas: -1 }), "2 invalid arguments");
        assert.deepEqual(error.problems.map((p) => p.argument).sort(), ["image", "namespace"]);
    });

    it("accepts valid pass-through objects, Outputs inside them and a host:port endpoint", async () => {
        const { recorder } = await build({
            env: [
                { name: "FEATURE", value: pulumi.secret("on") },
                { name: "POD", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
            ],
            tolerations: [{ key: "dedicated", operator: "Equal", value: "gateway", effect: "NoSchedule", tolerationSeconds: 30 }],
            affinity: {
                nodeAffinity: {
                    requiredDuringSchedulingIgnoredDuringExecution: {
                        nodeSelectorTerms: [{ matchExpressions: [{ key: "pool", operator: "In", values: ["edge"] }] }],
                    },
                },
            },
            dns: { policy: "None", config: { nameservers: ["10.0.0.10"], options: [{ name: "ndots", value: "2" }] } },
            networkPolicy: {
                enabled: true,
                trafficFrom: [{ namespaceSelector: { matchLabels: { team: "edge" } } }, { ipBlock: { cidr: "10.0.0.0/8" } }],
            },
            configuration: { endpoint: "config.contoso.com:443" },
            subscriptionId: "00000000-0000-0000-0000-000000000001",
            serviceName: "contoso-apim-01",
        });
        assert.deepEqual(podSpec(recorder).tolerations[0].effect, "NoSchedule");
        assert.ok(gatewayContainer(recorder).env.some((e: { name: string }) => e.name === "FEATURE"));
        assert.equal(configData(recorder)["config.service.endpoint"], "config.contoso.com:443");
    });
});
