import * as assert from "node:assert/strict";
import * as path from "node:path";
import { ClusterFacts, ExampleNeeds, NodeObject, planCluster } from "../../demo/clusterPlan";
import { exampleStackSettings } from "../../demo/exampleStack";

/** The prod example as the demo deploys it: 3 replicas, DoNotSchedule over zone and hostname, 600 s await. */
const PROD = exampleStackSettings(path.resolve(__dirname, "..", ".."));
const LENIENT: ExampleNeeds = {
    ...PROD,
    highAvailability: {
        ...PROD.highAvailability,
        topologySpread: { ...PROD.highAvailability.topologySpread, whenUnsatisfiable: "ScheduleAnyway" },
    },
};

const READY = { conditions: [{ type: "Ready", status: "True" }] };

function node(
    name: string,
    options: { zone?: string; kwok?: boolean; ready?: boolean; unschedulable?: boolean; taint?: string } = {},
): NodeObject {
    return {
        metadata: {
            name,
            labels: { "kubernetes.io/hostname": name, ...(options.zone ? { "topology.kubernetes.io/zone": options.zone } : {}) },
            annotations: options.kwok === false ? {} : { "kwok.x-k8s.io/node": "fake" },
        },
        spec: { unschedulable: options.unschedulable, taints: options.taint ? [{ key: options.taint, effect: "NoSchedule" }] : undefined },
        status: options.ready === false ? { conditions: [{ type: "Ready", status: "False" }] } : READY,
    };
}

const kwokZones = ["zone-a", "zone-b", "zone-c"].map((zone) => node(`kwok-${zone}-0`, { zone }));
const defaultClass = {
    metadata: { name: "standard", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
    provisioner: "rancher.io/local-path",
};

function facts(overrides: Partial<ClusterFacts>): ClusterFacts {
    return {
        context: "lab",
        nodes: kwokZones,
        storageClasses: [],
        namespaceExists: false,
        staticVolume: { name: "gateway-backup", exists: false },
        ...overrides,
    };
}

describe("npm run demo --kube-context: the cluster preflight", () => {
    it("reads the prod example as the stack will deploy it", () => {
        assert.equal(PROD.workload.replicas, 3);
        assert.equal(PROD.namespace.name, "apim-gateway");
        assert.deepEqual(PROD.highAvailability.topologySpread, {
            enabled: true,
            whenUnsatisfiable: "DoNotSchedule",
            topologyKeys: ["topology.kubernetes.io/zone", "kubernetes.io/hostname"],
        });
    });

    const cases: {
        what: string;
        facts: ClusterFacts;
        example?: ExampleNeeds;
        zones?: number;
        storage: string;
        notes: RegExp[];
        problems: RegExp[];
    }[] = [
        {
            what: "kwok nodes in three zones, no StorageClass: nothing to say, a static volume",
            facts: facts({}),
            zones: 3,
            storage: "static",
            notes: [],
            problems: [],
        },
        {
            what: "kind as created: one real node without a zone label: refused with the label command",
            facts: facts({ nodes: [node("kind-control-plane", { kwok: false })], storageClasses: [defaultClass] }),
            zones: 0,
            storage: "standard",
            notes: [
                new RegExp(
                    /default StorageClass standard: if its provisioner cannot make ReadWriteMany volumes \(kind's local-path /.source +
                        /cannot\), the claim and the pods stay Pending/.source,
                ),
            ],
            problems: [
                new RegExp(
                    /^no schedulable node of context "lab" carries the label topology\.kubernetes\.io\/zone: the 3 replicas /.source +
                        /spread over .* with whenUnsatisfiable: DoNotSchedule, so every pod would stay Pending\. Label the /.source +
                        /nodes, e\.g\. kubectl --context lab label node kind-control-plane topology\.kubernetes\.io\/zone=zone-a$/.source,
                ),
            ],
        },
        {
            what: "kind with a zone label: real kubelets named, zones shared, the default class used",
            facts: facts({
                nodes: [node("kind-control-plane", { kwok: false, zone: "zone-a" }), node("kind-worker", { kwok: false, zone: "zone-a" })],
                storageClasses: [defaultClass],
            }),
            zones: 1,
            storage: "standard",
            notes: [
                /^3 replicas over 1 zone \(zone-a\): .* label nodes in 3 zones for one pod per zone$/,
                new RegExp(
                    /^nodes kind-control-plane, kind-worker run a real kubelet: .* not expected to become Ready: pulumi up /.source +
                        /then fails after the Deployment's await \(rollingUpdate\.timeoutSeconds, 600 s\)/.source,
                ),
                /default StorageClass standard/,
            ],
            problems: [],
        },
        {
            what: "nodes that cannot take pods: each named with its reason",
            facts: facts({
                nodes: [
                    node("a", { zone: "z", ready: false }),
                    node("b", { zone: "z", unschedulable: true }),
                    node("c", { zone: "z", taint: "node-role.kubernetes.io/control-plane" }),
                ],
            }),
            zones: 1,
            storage: "static",
            notes: [],
            problems: [
                new RegExp(
                    /^no node of context "lab" can take the gateway pods .*: a: not Ready, b: cordoned, c: taint /.source +
                        /node-role\.kubernetes\.io\/control-plane:NoSchedule$/.source,
                ),
            ],
        },
        {
            what: "no nodes at all",
            facts: facts({ nodes: [] }),
            zones: 0,
            storage: "static",
            notes: [],
            problems: [/: the cluster has no nodes$/],
        },
        {
            what: "some nodes without a zone: the pods go to the others",
            facts: facts({ nodes: [...kwokZones, node("unlabelled")] }),
            zones: 3,
            storage: "static",
            notes: [
                new RegExp(
                    /^nodes unlabelled lack a label of topology\.kubernetes\.io\/zone, kubernetes\.io\/hostname: with /.source +
                        /whenUnsatisfiable: DoNotSchedule the pods go only to the 3 that have them$/.source,
                ),
            ],
            problems: [],
        },
        {
            what: "a lenient spread (ScheduleAnyway) and no zones: placed without a zone spread",
            facts: facts({ nodes: [node("n1"), node("n2")] }),
            example: LENIENT,
            zones: 0,
            storage: "static",
            notes: [/^no node carries topology\.kubernetes\.io\/zone: the 3 pods are placed without a zone spread$/],
            problems: [],
        },
        {
            what: "the namespace and the static volume already there: refused, never taken over",
            facts: facts({ namespaceExists: true, staticVolume: { name: "gateway-backup", exists: true } }),
            zones: 3,
            storage: "static",
            notes: [],
            problems: [
                /^namespace apim-gateway already exists in context "lab": .* delete it or use another cluster$/,
                /PersistentVolume gateway-backup, which the demo would create for the config backup, already exists/,
            ],
        },
        {
            what: "a volume of that name does not matter when the default class is used",
            facts: facts({
                storageClasses: [
                    { metadata: { name: "fast" } },
                    { metadata: { name: "csi", annotations: { "storageclass.beta.kubernetes.io/is-default-class": "true" } } },
                ],
                staticVolume: { name: "gateway-backup", exists: true },
            }),
            zones: 3,
            storage: "csi",
            notes: [/default StorageClass csi/],
            problems: [],
        },
    ];
    for (const { what, facts: reported, example, zones, storage, notes, problems } of cases) {
        it(what, () => {
            const plan = planCluster(reported, example ?? PROD);
            assert.equal(new Set(plan.zoneOf.values()).size, zones);
            assert.equal(plan.storage.kind === "default" ? plan.storage.name : "static", storage);
            assert.equal(plan.notes.length, notes.length, plan.notes.join("\n"));
            notes.forEach((note, index) => assert.match(plan.notes[index], note));
            assert.equal(plan.problems.length, problems.length, plan.problems.join("\n"));
            problems.forEach((problem, index) => assert.match(plan.problems[index], problem));
            [...plan.notes, ...plan.problems].forEach((line) => assert.ok(!line.includes("\n"), line));
        });
    }
});
