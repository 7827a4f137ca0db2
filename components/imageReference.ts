/** Parsing and checks of the gateway image reference (repository, tag, digest). */

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
/** A tag naming one release, e.g. `2.11.1` (optionally with a suffix such as `-preview.1`). */
const SPECIFIC_VERSION = /^(\d+)\.(\d+)\.(\d+)(?:-[0-9A-Za-z.-]+)?$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN =
    /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?$/;

/** A semantic version as `[major, minor, patch]`. */
export type Version = readonly [number, number, number];

/** Why a repository is invalid, or `undefined` when it is valid. */
export function repositoryProblem(repository: string): string | undefined {
    const parts = repository.split("/");
    const hasDomain = parts.length > 1 && (parts[0].includes(".") || parts[0].includes(":") || parts[0] === "localhost");
    const path = hasDomain ? parts.slice(1) : parts;
    if (hasDomain && !DOMAIN.test(parts[0])) {
        return `has an invalid registry host "${parts[0]}"`;
    }
    if (repository.includes("@") || path[path.length - 1].includes(":")) {
        return "includes a tag or digest";
    }
    if (!path.every((part) => PATH_COMPONENT.test(part))) {
        return "is not a valid image repository (lower-case path components separated by `/`)";
    }
    return undefined;
}

/** Whether a string is a valid image tag. */
export function isValidTag(tag: string): boolean {
    return TAG.test(tag);
}

/** Whether a string is a `sha256:` digest of 64 lower-case hex digits. */
export function isValidDigest(digest: string): boolean {
    return DIGEST.test(digest);
}

/** The version a tag names, or `undefined` for tags such as `v2` or `latest`. */
export function parseVersion(tag: string): Version | undefined {
    const match = SPECIFIC_VERSION.exec(tag);
    return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

/** Whether a tag names one specific release; anything else (`latest`, `v2`, `2.11`) may move. */
export function isSpecificVersionTag(tag: string): boolean {
    return parseVersion(tag) !== undefined;
}

/** Negative, zero or positive as `a` is older than, equal to or newer than `b`. */
export function compareVersions(a: Version, b: Version): number {
    return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** The image string of the container: `repo@sha256:…` with a digest, else `repo:tag`. */
export function imageReference(repository: string, tag: string, digest: string | undefined): string {
    return digest ? `${repository}@${digest}` : `${repository}:${tag}`;
}
