/**
 * The package as a consumer gets it: `npm pack` of this repository, installed with `npm install`
 * into a consumer project next to the peer dependencies the consumer chooses (here: the versions
 * our lockfile pins), so npm resolves one copy of each Pulumi SDK exactly as it would for a user.
 * npm's cache makes the install quick after our own `npm ci`; nothing is symlinked.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";

export const REPOSITORY = path.resolve(__dirname, "..", "..");

interface PackageJson {
    name: string;
    bin: Record<string, string>;
    peerDependencies: Record<string, string>;
    devDependencies: Record<string, string>;
}

export const PACKAGE: PackageJson = JSON.parse(readFileSync(path.join(REPOSITORY, "package.json"), "utf8"));

/** The pinned version of a dev dependency (the peers are pinned there for our tests). */
export function pinnedVersion(name: string): string {
    const version = PACKAGE.devDependencies[name];
    if (version === undefined) {
        throw new Error(`${name} is not a dev dependency of ${PACKAGE.name}`);
    }
    return version;
}

export interface PackedPackage {
    /** The tarball's path. */
    readonly tarball: string;
    /** Paths of the files in the tarball, relative to its root. */
    readonly files: readonly string[];
}

function run(command: string, args: readonly string[], cwd: string): string {
    return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** Builds (the prepare script) and packs the repository into `destination`. */
export function packRepository(destination: string): PackedPackage {
    const [info] = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", destination], REPOSITORY)) as {
        filename: string;
        files: { path: string }[];
    }[];
    return { tarball: path.join(destination, info.filename), files: info.files.map((file) => file.path) };
}

/**
 * Writes a consumer package.json depending on the tarball, the three Pulumi peers at our pinned
 * versions plus `dependencies`, and runs `npm install` there.
 */
export function installPackedPackage(
    consumerDir: string,
    tarball: string,
    extra: { dependencies?: Record<string, string>; devDependencies?: Record<string, string> } = {},
): void {
    const peers = Object.fromEntries(Object.keys(PACKAGE.peerDependencies).map((name) => [name, pinnedVersion(name)]));
    writeFileSync(
        path.join(consumerDir, "package.json"),
        `${JSON.stringify(
            {
                name: "platform-consumer",
                private: true,
                dependencies: { [PACKAGE.name]: `file:${tarball}`, ...peers, ...extra.dependencies },
                devDependencies: extra.devDependencies ?? {},
            },
            undefined,
            2,
        )}\n`,
    );
    run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], consumerDir);
}

/** The paths of every installed copy of `name` under the consumer's node_modules. */
export function installedCopies(consumerDir: string, name: string): string[] {
    const output = run("npm", ["ls", "--all", "--parseable", name], consumerDir);
    return output.split("\n").filter((line) => line.endsWith(`node_modules/${name}`));
}
