import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ResolvedSettings } from "./settings";

/** What every builder of the component's children needs, passed as one value. */
export interface BuildContext {
    /** The component's name: the prefix of every child's logical name. */
    name: string;
    settings: ResolvedSettings;
    /** Namespace of the namespaced objects; depends on the created Namespace, so they come after it. */
    namespace: pulumi.Output<string>;
    /** The component: the parent of every child. */
    parent: pulumi.Resource;
    /** The stack's checksum key (a secret), for keyed checksums of possibly secret data. */
    checksumKey: pulumi.Output<string>;
}

/** Metadata of a namespaced object of the gateway: its name, the namespace and the common labels. */
export function objectMetadata(
    context: BuildContext,
    name: pulumi.Input<string>,
    annotations?: Record<string, pulumi.Input<string>>,
): k8s.types.input.meta.v1.ObjectMeta {
    return {
        name,
        namespace: context.namespace,
        labels: context.settings.labels.common,
        ...(annotations !== undefined && Object.keys(annotations).length > 0 ? { annotations } : {}),
    };
}
