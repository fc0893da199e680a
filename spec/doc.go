// Package spec defines monitor.yaml (apiVersion kmswatch.dev/v1alpha1, kind Monitor): its types,
// strict loading, defaults applied in one place, and validation that reports every problem with
// its field path. Nothing in this package talks to AWS.
package spec
