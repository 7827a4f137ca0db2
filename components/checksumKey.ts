import * as pulumi from "@pulumi/pulumi";

/** Bytes of the HMAC key: as long as the SHA-256 output, the size RFC 2104 recommends. */
const KEY_BYTES = 32;

/**
 * The ChecksumKey dynamic provider: `create` draws a random key once; nothing ever changes it
 * (`diff` reports no changes), so the checksums stay stable for the life of the stack. Pulumi
 * serializes this object into the state, so it captures nothing and requires `crypto` itself.
 */
export const checksumKeyProvider: pulumi.dynamic.ResourceProvider = {
    async create() {
        const key = require("node:crypto").randomBytes(KEY_BYTES).toString("base64") as string;
        return { id: "checksum-key", outs: { key } };
    },
    async diff() {
        return { changes: false };
    },
    async read(id: string, props: Record<string, unknown>) {
        return { id, props };
    },
};

/**
 * A per-stack random key, kept as a secret in the state, for the checksums on the pod template
 * and in content-derived object names. A plain hash of a secret on a pod (which anyone who can
 * read pods sees) would let them test guessed client secrets or tokens offline; an HMAC under a
 * key they cannot read does not. A dynamic resource needs no extra provider package (unlike
 * `@pulumi/random`) and, unlike a key derived from another secret, exists in every auth mode.
 */
export class ChecksumKey extends pulumi.dynamic.Resource {
    /** Base64 of 32 random bytes; always a secret. */
    declare readonly key: pulumi.Output<string>;

    constructor(name: string, opts?: pulumi.CustomResourceOptions) {
        super(checksumKeyProvider, name, { key: undefined }, pulumi.mergeOptions(opts, { additionalSecretOutputs: ["key"] }), "apim-gateway", "ChecksumKey");
    }
}
