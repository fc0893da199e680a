package reconcile

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
)

// remove deletes one owned resource. A resource already gone counts as deleted.
func (c *regionController) remove(ctx context.Context, s Step) error {
	var err error
	switch g := s.Got.(type) {
	case *MetricFilter:
		_, err = c.clients.Logs.DeleteMetricFilter(ctx, &cloudwatchlogs.DeleteMetricFilterInput{LogGroupName: aws.String(g.LogGroup), FilterName: aws.String(g.Name)})
	case *Subscription:
		_, err = c.clients.SNS.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: aws.String(g.ARN)})
	case *Topic:
		_, err = c.clients.SNS.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: aws.String(g.ARN)})
		c.owners.drop(KindTopic, g.Name)
	case *Trail:
		_, err = c.clients.CloudTrail.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String(g.Name)})
		c.owners.drop(KindTrail, g.Name)
	case *LogGroup:
		_, err = c.clients.Logs.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(g.Name)})
		c.owners.drop(KindLogGroup, g.Name)
	default:
		return fmt.Errorf("delete %s: no observed resource in the plan", s.ID)
	}
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("delete %s: %w", s.ID, err)
	}
	return nil
}

// deleteAlarms deletes the alarms of changes[idx], 100 names a call, marking each change.
func (c *regionController) deleteAlarms(ctx context.Context, changes []Change, idx []int) error {
	var errs []error
	for i := 0; i < len(idx); i += 100 {
		batch := idx[i:min(i+100, len(idx))]
		names := make([]string, len(batch))
		for j, k := range batch {
			names[j] = changes[k].Name
		}
		_, err := c.clients.CloudWatch.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: names})
		if err != nil && !isNotFound(err) {
			err = fmt.Errorf("delete alarms %v: %w", names, err)
			errs = append(errs, err)
		}
		for _, k := range batch {
			if err != nil && !isNotFound(err) {
				changes[k].Err = err
				continue
			}
			changes[k].Applied = true
			c.owners.drop(KindAlarm, changes[k].Name)
		}
	}
	return errors.Join(errs...)
}

func snsTags(m map[string]string) []snstypes.Tag {
	var out []snstypes.Tag
	for _, k := range sortedKeys(m) {
		out = append(out, snstypes.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return out
}
