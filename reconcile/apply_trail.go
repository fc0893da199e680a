package reconcile

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	ctypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// writeTrail creates a trail (tagged), sets its selectors and starts it logging — a trail created
// through the API does not log until StartLogging — or repairs the parts that drifted: the
// definition with UpdateTrail (a partial update), the selectors with PutEventSelectors (a full
// replace, of the observed selectors repaired), logging with StartLogging, the tags with AddTags. Every call names the trail, not its
// ARN: moto ≤5.2.2 answers 500 to Start/StopLogging given an ARN.
func (c *regionController) writeTrail(ctx context.Context, w *Trail, s Step) error {
	if s.Action == ActionCreate {
		in := &cloudtrail.CreateTrailInput{
			Name:                       aws.String(w.Name),
			S3BucketName:               aws.String(w.S3BucketName),
			S3KeyPrefix:                nilIfEmpty(w.S3KeyPrefix),
			CloudWatchLogsLogGroupArn:  aws.String(w.LogGroupARN),
			CloudWatchLogsRoleArn:      aws.String(w.RoleARN),
			IsMultiRegionTrail:         aws.Bool(w.MultiRegion),
			EnableLogFileValidation:    aws.Bool(w.LogFileValidation),
			IncludeGlobalServiceEvents: aws.Bool(true),
			KmsKeyId:                   nilIfEmpty(w.KMSKeyID),
			TagsList:                   trailTagList(w.Tags),
		}
		if _, err := c.clients.CloudTrail.CreateTrail(ctx, in); err != nil {
			return fmt.Errorf("create trail %s: %w", w.Name, err)
		}
		c.owners.put(KindTrail, w.Name, w.Tags)
		if err := c.putSelectors(ctx, w, TrailSelectors{}); err != nil {
			return err
		}
		return c.startLogging(ctx, w)
	}
	var update, selectors, logging bool
	// UpdateTrail is a partial update: send only what drifted.
	in := &cloudtrail.UpdateTrailInput{Name: aws.String(w.Name)}
	for _, f := range s.Changes {
		switch {
		case strings.HasPrefix(f.Field, "tags."):
		case strings.HasPrefix(f.Field, "eventSelectors."), strings.HasPrefix(f.Field, "advancedEventSelectors."):
			selectors = true
		case f.Field == "logging":
			logging = true
		default:
			update = true
			switch f.Field {
			case "s3BucketName":
				in.S3BucketName = aws.String(w.S3BucketName)
			case "s3KeyPrefix":
				in.S3KeyPrefix = aws.String(w.S3KeyPrefix)
			case "cloudWatchLogsLogGroupArn", "cloudWatchLogsRoleArn":
				// CloudTrail wants the log group and the role together.
				in.CloudWatchLogsLogGroupArn = aws.String(w.LogGroupARN)
				in.CloudWatchLogsRoleArn = aws.String(w.RoleARN)
			case "multiRegion":
				in.IsMultiRegionTrail = aws.Bool(w.MultiRegion)
				if w.MultiRegion {
					// A multi-region trail must include global service events.
					in.IncludeGlobalServiceEvents = aws.Bool(true)
				}
			case "logFileValidation":
				in.EnableLogFileValidation = aws.Bool(w.LogFileValidation)
			case "kmsKeyId":
				in.KmsKeyId = aws.String(w.KMSKeyID)
			}
		}
	}
	if hasTags(s.Changes) {
		// Tag first: an adopted trail is then ours even if a later call fails.
		if _, err := c.clients.CloudTrail.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: aws.String(w.ARN), TagsList: trailTagList(w.Tags)}); err != nil {
			return fmt.Errorf("tag trail %s: %w", w.Name, err)
		}
		c.owners.put(KindTrail, w.Name, mergeTags(s.Got, w.Tags))
	}
	if update {
		if _, err := c.clients.CloudTrail.UpdateTrail(ctx, in); err != nil {
			return fmt.Errorf("update trail %s: %w", w.Name, err)
		}
	}
	if selectors {
		var observed TrailSelectors
		if got, _ := s.Got.(*Trail); got != nil {
			observed = got.Selectors
		}
		if err := c.putSelectors(ctx, w, observed); err != nil {
			return err
		}
	}
	if logging {
		return c.startLogging(ctx, w)
	}
	return nil
}

// putSelectors repairs the trail's observed selectors so that every management event, KMS
// included, is logged read and write, and changes nothing else (repairSelectors): a user's data
// event selectors survive the repair. A trail on advanced selectors keeps advanced selectors:
// moto does not clear advanced selectors when basic ones are put.
func (c *regionController) putSelectors(ctx context.Context, w *Trail, observed TrailSelectors) error {
	sel, err := repairSelectors(observed)
	if err != nil {
		// Not terminal: the fix is the user's, in AWS, and the next pass must see it.
		return fmt.Errorf("repair event selectors of trail %s: %w", w.Name, err)
	}
	in := &cloudtrail.PutEventSelectorsInput{TrailName: aws.String(w.Name), EventSelectors: sel.Basic, AdvancedEventSelectors: sel.Advanced}
	if _, err := c.clients.CloudTrail.PutEventSelectors(ctx, in); err != nil {
		return fmt.Errorf("put event selectors of trail %s: %w", w.Name, err)
	}
	return nil
}

func (c *regionController) startLogging(ctx context.Context, w *Trail) error {
	if _, err := c.clients.CloudTrail.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(w.Name)}); err != nil {
		return fmt.Errorf("start logging of trail %s: %w", w.Name, err)
	}
	return nil
}

func trailTagList(m map[string]string) []ctypes.Tag {
	var out []ctypes.Tag
	for _, k := range sortedKeys(m) {
		out = append(out, ctypes.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return out
}
