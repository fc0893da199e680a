// Package tagging is the emulated Resource Groups Tagging API (service id "tagging", awsJson
// 1.1, target prefix ResourceGroupsTaggingAPI_20170126). It reads the shared tag store, which
// every service keeps by ARN, so that one GetResources call finds a monitor's resources across
// CloudWatch, Logs, CloudTrail, SNS and KMS. It answers only for ARNs of the request's region.
// AWS lists resources that are tagged or ever were; the store holds an entry for untagged
// resources too (services make one at creation), so a resource is listed while it has at least
// one tag — one whose tags were all removed is not listed, where AWS may still show it with
// "Tags": [].
package tagging
