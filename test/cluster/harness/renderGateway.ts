/**
 * Prints, as JSON, the gateway's Kubernetes objects exactly as the component builds them: the
 * component constructed under the unit tests' Pulumi mocks, its Kubernetes resources' inputs.
 * Run as a child process by `renderedGateway()` (renderedGateway.ts), so the mocks' global runtime
 * state never meets a suite that runs the real engine in the same mocha process.
 */
import { build } from "../../component/support";
import { RENDER_OVERRIDES } from "./renderedGateway";

async function main(): Promise<void> {
    const { recorder } = await build(RENDER_OVERRIDES);
    process.stdout.write(JSON.stringify(recorder.kubernetesObjects().map((resource) => resource.inputs)));
}

main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
});
