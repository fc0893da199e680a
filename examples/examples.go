// Package examples holds kmswatch's example monitor.yaml files. They are embedded so that
// `kmswatch demo` runs from the binary alone, and tests load every one of them.
package examples

import "embed"

// FS holds every *.yaml file of this directory.
//
//go:embed *.yaml
var FS embed.FS

// Lab is the file that reproduces the AWS Well-Architected KMS lab: what the demo converges.
const Lab = "monitor.yaml"
