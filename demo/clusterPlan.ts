/**
 * The demo's preflight of an existing cluster (`--kube-context`): from the nodes, StorageClasses
 * and objects the API reports, what the example stack will meet there, said before anything is
 * deployed. Pure: the caller reads the API.
 */
import { ResolvedSettings } from "../components/settings";
import { isReady, KWOK_NODE_ANNOTATION, ZONE_LABEL } from "../localenv/cluster/nodes";

/** The part of a Node object the plan reads. */
export interface NodeObject {
    readonly metadata: { readonly name: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
    readonly spec?: {
        readonly unschedulable?: boolean;
        readonly taints?: readonly { readonly key: string; readonly value?: string; readonly effect: string }[];
    };
    readonly status?: { readonly conditions?: readonly { readonly type: string; readonly status: string }[] };
}

/** The part of a StorageClass object the plan reads. */
export interface StorageClassObject {
    readonly metadata: { readonly name: string; readonly annotations?: Record<string, string> };
    readonly provisioner?: string;
}

/** What the API reported. */
export interface ClusterFacts {
    readonly context: string;
    readonly nodes: readonly NodeObject[];
    readonly storageClasses: readonly StorageClassObject[];
    /** Whether the example's namespace already exists. */
    readonly namespaceExists: boolean;
    /** The PersistentVolume the demo creates when there is no default StorageClass, and whether one of that name exists. */
    readonly staticVolume: { readonly name: string; readonly exists: boolean };
}

/** What the example stack needs of the cluster: the parts of its resolved settings the plan reads. */
export type ExampleNeeds = Pick<ResolvedSettings, "namespace" | "highAvailability"> & {
    readonly workload: Pick<ResolvedSettings["workload"], "replicas" | "rollout">;
};

/** Where the config backup claim binds. */
export type BackupStorage =
    /** The cluster's default StorageClass, passed as `configBackup.storageClassName`. */
    | { readonly kind: "default"; readonly name: string }
    /** No default class: the demo creates a static PersistentVolume for the claim. */
    | { readonly kind: "static" };

export interface ClusterPlan {
    /** Zone of every node that has one (`topology.kubernetes.io/zone`). */
    readonly zoneOf: ReadonlyMap<string, string>;
    readonly storage: BackupStorage;
    /** Said before deploying: what will differ from the local control plane. */
    readonly notes: readonly string[];
    /** Each one stops the demo before it deploys anything. */
    readonly problems: readonly string[];
}

/** The annotations that mark a StorageClass as the default (GA, and the beta one older clusters still set). */
const DEFAULT_CLASS_ANNOTATIONS = ["storageclass.kubernetes.io/is-default-class", "storageclass.beta.kubernetes.io/is-default-class"];

/** Taint effects that keep a pod without a matching toleration off a node (the example sets none). */
const REPELLING_EFFECTS = ["NoSchedule", "NoExecute"];

/** Why a node cannot take the gateway's pods, or undefined when it can. */
function unavailable(node: NodeObject): string | undefined {
    if (!isReady(node)) {
        return "not Ready";
    }
    if (node.spec?.unschedulable === true) {
        return "cordoned";
    }
    const taint = node.spec?.taints?.find((candidate) => REPELLING_EFFECTS.includes(candidate.effect));
    return taint === undefined ? undefined : `taint ${taint.key}${taint.value ? `=${taint.value}` : ""}:${taint.effect}`;
}

const list = (names: readonly string[]) => names.join(", ");

/** Each node's zone (its `topology.kubernetes.io/zone` label); nodes without one are left out. */
export function nodeZones(nodes: readonly NodeObject[]): Map<string, string> {
    return new Map(
        nodes.flatMap((node) =>
            node.metadata.labels?.[ZONE_LABEL] ? [[node.metadata.name, node.metadata.labels[ZONE_LABEL]] as const] : [],
        ),
    );
}

export function planCluster(facts: ClusterFacts, example: ExampleNeeds): ClusterPlan {
    const { context } = facts;
    const notes: string[] = [];
    const problems: string[] = [];
    const replicas = example.workload.replicas ?? 1;
    const spread = example.highAvailability.topologySpread;
    const strict = spread.enabled && spread.whenUnsatisfiable === "DoNotSchedule";

    const zoneOf = nodeZones(facts.nodes);
    const eligible = facts.nodes.filter((node) => unavailable(node) === undefined);
    const labelled = (node: NodeObject) => spread.topologyKeys.every((key) => node.metadata.labels?.[key] !== undefined);
    // With DoNotSchedule, a node without every topology key is filtered out by the scheduler.
    const placeable = strict ? eligible.filter(labelled) : eligible;

    if (eligible.length === 0) {
        const reasons = facts.nodes.map((node) => `${node.metadata.name}: ${unavailable(node)}`);
        problems.push(
            `no node of context "${context}" can take the gateway pods (Ready, schedulable, no NoSchedule or NoExecute ` +
                `taint; the example sets no tolerations)${reasons.length > 0 ? `: ${list(reasons)}` : ": the cluster has no nodes"}`,
        );
    } else if (placeable.length === 0) {
        const missing = spread.topologyKeys.filter((key) => eligible.some((node) => node.metadata.labels?.[key] === undefined));
        problems.push(
            `no schedulable node of context "${context}" carries the label${missing.length > 1 ? "s" : ""} ` +
                `${list(missing)}: the ${replicas} replicas spread over ${list(spread.topologyKeys)} ` +
                `with whenUnsatisfiable: DoNotSchedule, so every pod would stay Pending. Label the nodes, e.g. ` +
                `kubectl --context ${context} label node ${eligible[0].metadata.name} ${ZONE_LABEL}=zone-a`,
        );
    } else {
        const unlabelled = eligible.filter((node) => !placeable.includes(node)).map((node) => node.metadata.name);
        if (unlabelled.length > 0) {
            notes.push(
                `nodes ${list(unlabelled)} lack a label of ${list(spread.topologyKeys)}: with ` +
                    `whenUnsatisfiable: DoNotSchedule the pods go only to the ${placeable.length} that have them`,
            );
        }
        const zones = [...new Set(placeable.flatMap((node) => zoneOf.get(node.metadata.name) ?? []))].sort();
        if (zones.length === 0) {
            notes.push(`no node carries ${ZONE_LABEL}: the ${replicas} pods are placed without a zone spread`);
        } else if (zones.length < replicas) {
            notes.push(
                `${replicas} replicas over ${zones.length} zone${zones.length > 1 ? "s" : ""} (${list(zones)}): the spread ` +
                    `allows one pod more in a zone than in another, so pods share ` +
                    `a zone; label nodes in ${replicas} zones for one pod per zone`,
            );
        }
        const kubelets = placeable
            .filter((node) => node.metadata.annotations?.[KWOK_NODE_ANNOTATION] === undefined)
            .map((node) => node.metadata.name);
        if (kubelets.length > 0) {
            notes.push(
                `nodes ${list(kubelets)} run a real kubelet: there the gateway containers ` +
                    `really start (the image is pulled from Microsoft's container registry) ` +
                    `and fetch their configuration from the API Management configuration endpoint in Azure, which ` +
                    `the emulated Azure does not serve (it answers ARM and Entra ID on this machine's 127.0.0.1 only), ` +
                    `so they are not expected to become Ready: pulumi up then fails after the Deployment's ` +
                    `await (rollingUpdate.timeoutSeconds, ${example.workload.rollout.timeoutSeconds} s), ` +
                    `the demo names each pod's state, and removes the stack (Ctrl-C does so sooner)`,
            );
        }
    }

    if (facts.namespaceExists) {
        problems.push(
            `namespace ${example.namespace.name} already exists in context "${context}": the demo deploys into it ` +
                `and deletes it when it ends, so it will not touch one it did not create; delete it or use another cluster`,
        );
    }
    const defaults = facts.storageClasses
        .filter((storageClass) =>
            DEFAULT_CLASS_ANNOTATIONS.some((annotation) => storageClass.metadata.annotations?.[annotation] === "true"),
        )
        .map((storageClass) => storageClass.metadata.name)
        .sort();
    const storage: BackupStorage = defaults.length > 0 ? { kind: "default", name: defaults[0] } : { kind: "static" };
    if (storage.kind === "default") {
        notes.push(
            `the config backup claim (ReadWriteMany) uses the default StorageClass ${storage.name}: if its provisioner ` +
                `cannot make ReadWriteMany volumes (kind's local-path cannot), the claim and the pods stay Pending`,
        );
    } else if (facts.staticVolume.exists) {
        problems.push(
            `the cluster has no default StorageClass and PersistentVolume ${facts.staticVolume.name}, which ` +
                `the demo would create for the config backup, already exists: delete it or use another cluster`,
        );
    }
    return { zoneOf, storage, notes, problems };
}
