package reconcile

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	ctypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/kmswatch/kmswatch/reconcile/pipeline"
)

// Delivery health, read on the way: every pass already calls GetTrailStatus for the trails a
// Monitor wants or owns; it now keeps the delivery fields, reads the status of the other trails
// that feed a Monitor's log group too (their delivery is the Monitor's), and the state of each
// such trail's KMS key (kms:DescribeKey, once per key per pass, only for trails that have one).

// trailStatus reads a trail's status once per pass; st is GetTrailStatus's answer when the caller
// already has it. The trail's own settings (bucket, role, log group, key) come from def.
func (o *observer) trailStatus(ctx context.Context, def *ctypes.Trail, st *cloudtrail.GetTrailStatusOutput) (pipeline.TrailStatus, error) {
	name := aws.ToString(def.Name)
	if s, ok := o.statusOf[name]; ok {
		return s, nil
	}
	if st == nil {
		var err error
		if st, err = o.r.clients.CloudTrail.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(name)}); err != nil {
			return pipeline.TrailStatus{}, fmt.Errorf("get status of trail %s: %w", name, err)
		}
	}
	s := pipeline.StatusFromAWS(name, st)
	s.Bucket, s.Role, s.KMSKey = aws.ToString(def.S3BucketName), aws.ToString(def.CloudWatchLogsRoleArn), aws.ToString(def.KmsKeyId)
	s.Group = strings.TrimSuffix(aws.ToString(def.CloudWatchLogsLogGroupArn), ":*")
	if s.KMSKey != "" {
		s.KeyInfo = o.keyInfo(ctx, s.KMSKey)
	}
	o.statusOf[name] = s
	return s, nil
}

// keyInfo reads a KMS key's state once per pass.
func (o *observer) keyInfo(ctx context.Context, key string) pipeline.KeyInfo {
	if k, ok := o.keyOf[key]; ok {
		return k
	}
	info := pipeline.DescribeKeyState(ctx, o.r.clients.KMS, key)
	o.keyOf[key] = info
	return info
}
