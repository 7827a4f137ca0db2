/**
 * `apim-gateway-rotate plugin-lines`: prints the schedules' `PLUGINS` lines for the provider plugins
 * the project in the working directory installed, each archive downloaded once and hashed
 * (SHA-256), so that a project whose lockfile moved past the versions the shipped schedules pin
 * gets its lines in one command. The lines go to stdout (paste them into the schedule's PLUGINS,
 * and review them as any pinned checksum); progress and errors to stderr.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { quoted } from "../../components/untrustedText";
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from "./exitCodes";
import {
    PLUGIN_PLATFORMS,
    PULUMI_RELEASES_URL,
    type PluginPlatform,
    type ResourcePlugin,
    pluginArchiveUrl,
    pluginLine,
    resourcePlugin,
} from "./pluginLines";

export const PLUGIN_LINES_HELP = `Usage: apim-gateway-rotate plugin-lines [--platform P] [--releases-url URL]

Prints one line per Pulumi provider plugin the project in the working directory installed (its
package.json dependencies, read from node_modules), as the schedules' PLUGINS step wants them:
  <npm package> <version> <SHA-256 of pulumi-resource-<name>-v<version>-<platform>.tar.gz>
Each archive is downloaded from the provider's release and hashed. Paste the lines into the
schedule's PLUGINS and review them like any pinned checksum.

Options:
  --platform P          the runner's platform (default linux-amd64, the schedules' runners):
                        ${PLUGIN_PLATFORMS.join(", ")}
  --releases-url URL    a mirror of Pulumi's releases with the same layout
                        (default ${PULUMI_RELEASES_URL}); https, or http on a loopback address
  -h, --help            this help

Exit codes: 0 printed, 1 a download failed, 2 bad usage or no provider installed.
`;

/** The largest archive accepted: the biggest providers' archives are a few hundred MB. */
const MAX_ARCHIVE_BYTES = 2 ** 30;
/** How long one archive may take to download. */
const DOWNLOAD_TIMEOUT_MS = 15 * 60_000;

interface Io {
    readonly stdout: { write(text: string): unknown };
    readonly stderr: { write(text: string): unknown };
    readonly cwd: string;
}

class UsageError extends Error {}

/** The releases base URL: https, or http only to this machine (a local mirror, or a test). */
function releasesUrl(value: string | undefined): string {
    if (value === undefined) {
        return PULUMI_RELEASES_URL;
    }
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        throw new UsageError(`--releases-url ${quoted(value)} is not a URL`);
    }
    const loopback = url.hostname === "localhost" || url.hostname === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
    if (value.length > 2048 || !(url.protocol === "https:" || (url.protocol === "http:" && loopback)) || url.search || url.hash) {
        throw new UsageError(`--releases-url must be an https URL (http only on a loopback address) with no query: ${quoted(value)}`);
    }
    return value;
}

function platformOf(value: string | undefined): PluginPlatform {
    const platform = value ?? PLUGIN_PLATFORMS[0];
    if (!(PLUGIN_PLATFORMS as readonly string[]).includes(platform)) {
        throw new UsageError(`--platform ${quoted(platform)} is not one of ${PLUGIN_PLATFORMS.join(", ")}`);
    }
    return platform as PluginPlatform;
}

function readJson(file: string): unknown {
    return JSON.parse(readFileSync(file, "utf8"));
}

/** The provider plugins among the project's direct dependencies, in package order. */
function installedPlugins(cwd: string): ResourcePlugin[] {
    let manifest: { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
    try {
        manifest = readJson(path.join(cwd, "package.json")) as typeof manifest;
    } catch (error) {
        throw new UsageError(`no readable package.json in ${cwd} (${(error as Error).message}): run this in the Pulumi project's folder`);
    }
    const names = [...new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {})])].sort();
    const plugins: ResourcePlugin[] = [];
    for (const name of names.filter((candidate) => candidate.startsWith("@pulumi/"))) {
        let installed: unknown;
        try {
            installed = readJson(path.join(cwd, "node_modules", name, "package.json"));
        } catch {
            throw new UsageError(`${name} is in package.json but not installed: run npm ci first`);
        }
        const plugin = resourcePlugin(name, installed);
        if (plugin !== undefined) {
            plugins.push(plugin);
        }
    }
    if (plugins.length === 0) {
        throw new UsageError(`the project in ${cwd} installed no Pulumi provider (@pulumi/… with a resource plugin): nothing to pin`);
    }
    return plugins;
}

/** Streams `url` into SHA-256, refusing an archive larger than MAX_ARCHIVE_BYTES. */
async function downloadSha256(url: string): Promise<string> {
    const response = await fetch(url, { redirect: "follow", signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
    if (!response.ok || response.body === null) {
        throw new Error(`${url}: HTTP ${response.status}`);
    }
    const hash = createHash("sha256");
    let bytes = 0;
    for await (const chunk of response.body) {
        bytes += chunk.byteLength;
        if (bytes > MAX_ARCHIVE_BYTES) {
            throw new Error(`${url}: larger than ${MAX_ARCHIVE_BYTES} bytes`);
        }
        hash.update(chunk);
    }
    return hash.digest("hex");
}

/** The subcommand's name, the first argument of `apim-gateway-rotate`. */
export const PLUGIN_LINES_COMMAND = "plugin-lines";

/** Runs `apim-gateway-rotate plugin-lines ARGS`; resolves to the exit code. */
export async function runPluginLines(argv: readonly string[], io: Io): Promise<number> {
    let plugins: ResourcePlugin[];
    let platform: PluginPlatform;
    let base: string;
    try {
        const { values } = parseArgs({
            args: [...argv],
            strict: true,
            allowPositionals: false,
            options: { platform: { type: "string" }, "releases-url": { type: "string" }, help: { type: "boolean", short: "h" } },
        });
        if (values.help) {
            io.stdout.write(PLUGIN_LINES_HELP);
            return EXIT_OK;
        }
        platform = platformOf(values.platform);
        base = releasesUrl(values["releases-url"]);
        plugins = installedPlugins(io.cwd);
    } catch (error) {
        io.stderr.write(`apim-gateway-rotate plugin-lines: ${(error as Error).message} (see apim-gateway-rotate plugin-lines --help)\n`);
        return EXIT_USAGE;
    }
    const lines: string[] = [];
    for (const plugin of plugins) {
        const url = pluginArchiveUrl(plugin, platform, base);
        io.stderr.write(`downloading ${url}\n`);
        try {
            lines.push(pluginLine(plugin, await downloadSha256(url)));
        } catch (error) {
            io.stderr.write(
                `apim-gateway-rotate plugin-lines: ${plugin.package} ${plugin.version}: ${(error as Error).message}; nothing printed\n`,
            );
            return EXIT_FAILED;
        }
    }
    io.stdout.write(`${lines.join("\n")}\n`);
    return EXIT_OK;
}
