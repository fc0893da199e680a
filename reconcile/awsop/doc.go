// Package awsop is the one rule for which AWS API calls are reads and which are writes, keyed
// the way call counts are ("service:Operation"). The emulator's call accounting, its CloudTrail
// records and the controller's write counts all use it, so that "a converged pass makes no
// write" means the same thing everywhere. It has no dependencies beyond the standard library.
package awsop
