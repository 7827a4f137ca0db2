// Command pulumi-resource-kubernetes serves the Kubernetes provider as the
// provider's cmd/pulumi-resource-kubernetes/main.go does. The embedded files
// are written next to this file by ../build.sh (embedgen) in a build copy;
// they are not committed.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, pulumiSchema, terraformMapping)
}
