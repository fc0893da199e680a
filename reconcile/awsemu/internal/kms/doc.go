// Package kms is the emulated KMS (service id "kms", awsJson 1.1, target prefix TrentService):
// symmetric keys whose material really encrypts (AES-256-GCM), aliases, key states (Enabled,
// Disabled, PendingDeletion, then gone on the emulated clock), and identity-policy denials for
// chosen access keys (Service.Deny, the emulator's DenyKMS), which fail as AWS words them and
// are recorded by CloudTrail like any failed call.
//
// Files: service.go (state, registration, denials, the Endpoint), keys.go (key lifecycle and
// tags), crypto.go (Encrypt, Decrypt, GenerateDataKey), aliases.go.
package kms
