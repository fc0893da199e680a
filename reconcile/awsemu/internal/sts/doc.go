// Package sts is the emulated AWS Security Token Service (service id "sts", awsQuery, Version
// 2011-06-15): GetCallerIdentity only, answering who the signing access key is as the world's
// principals say (core.World.AddUser, AddRoleSession) — an IAM user's ARN, or an assumed-role
// session's ARN (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION), as STS itself answers. kmswatch
// asks it for the account id and for its own principal, which the heartbeat's metric filter
// matches.
package sts
