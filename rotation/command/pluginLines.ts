/**
 * The schedules' provider-plugin lines (`PLUGINS` in both CI files): one line per Pulumi resource
 * provider the project installed, `<npm package> <version> <SHA-256 of the plugin archive>`, which
 * the schedule checks against `node_modules` and hands to `pulumi plugin install --checksum`.
 * Pure: what a package is, which archive it needs, and the line; the download is
 * pluginLinesCommand.ts's.
 */
import { quoted } from "../../components/untrustedText";

/** The platforms Pulumi publishes provider archives for; the schedules run on the first. */
export const PLUGIN_PLATFORMS = ["linux-amd64", "linux-arm64", "darwin-amd64", "darwin-arm64", "windows-amd64"] as const;
export type PluginPlatform = (typeof PLUGIN_PLATFORMS)[number];

/** Where Pulumi's own providers publish their release archives (`<base>/pulumi-<name>/releases/download/v<version>/…`). */
export const PULUMI_RELEASES_URL = "https://github.com/pulumi";

/** A provider plugin the project installed. */
export interface ResourcePlugin {
    /** The npm package, e.g. `@pulumi/kubernetes`. */
    readonly package: string;
    /** The plugin's name, e.g. `kubernetes`. */
    readonly name: string;
    /** The plugin's version: the one the SDK asks the engine for. */
    readonly version: string;
}

const PLUGIN_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const VERSION = /^\d{1,6}\.\d{1,6}\.\d{1,6}(?:-[0-9A-Za-z.-]{1,64})?$/;
const SHA256 = /^[0-9a-f]{64}$/;

/** A value read from an installed package.json, for a message: quoted, bounded and escaped. */
const shown = (value: unknown): string => (typeof value === "string" ? quoted(value) : String(value));

/**
 * The provider plugin an installed package's `package.json` declares (`"pulumi": { "resource": true,
 * "name", "version" }`), or undefined for any other package. Only Pulumi's own providers
 * (`@pulumi/…`) are answered: their archives are at a known place; another package's plugin line
 * is written by hand from its publisher's release. Throws, naming the package, on a declaration
 * this cannot trust (a name or version that could steer a URL or a shell line).
 */
export function resourcePlugin(packageName: string, packageJson: unknown): ResourcePlugin | undefined {
    const pulumi = (packageJson as { pulumi?: { resource?: unknown; name?: unknown; version?: unknown } } | null)?.pulumi;
    if (!packageName.startsWith("@pulumi/") || pulumi?.resource !== true) {
        return undefined;
    }
    const version = pulumi.version ?? (packageJson as { version?: unknown }).version;
    if (typeof pulumi.name !== "string" || !PLUGIN_NAME.test(pulumi.name) || typeof version !== "string" || !VERSION.test(version)) {
        throw new Error(
            `${packageName}: its package.json declares the plugin ${shown(pulumi.name)} version ` +
                `${shown(version)}, not a plugin name and a version; reinstall it (npm ci)`,
        );
    }
    return { package: packageName, name: pulumi.name, version };
}

/** The archive `pulumi plugin install` downloads for `plugin` on `platform`. */
export function pluginArchive(plugin: ResourcePlugin, platform: PluginPlatform): string {
    return `pulumi-resource-${plugin.name}-v${plugin.version}-${platform}.tar.gz`;
}

/** Where the archive is published, under `base` (default Pulumi's releases; a mirror of the same layout otherwise). */
export function pluginArchiveUrl(plugin: ResourcePlugin, platform: PluginPlatform, base: string = PULUMI_RELEASES_URL): string {
    let end = base.length;
    while (end > 0 && base[end - 1] === "/") {
        end--;
    }
    return `${base.slice(0, end)}/pulumi-${plugin.name}/releases/download/v${plugin.version}/${pluginArchive(plugin, platform)}`;
}

/** The schedule's line for `plugin`; refuses anything but a SHA-256 in hex. */
export function pluginLine(plugin: ResourcePlugin, sha256: string): string {
    if (!SHA256.test(sha256)) {
        throw new Error(`${plugin.package}: ${JSON.stringify(sha256)} is not a SHA-256 in hex`);
    }
    return `${plugin.package} ${plugin.version} ${sha256}`;
}
