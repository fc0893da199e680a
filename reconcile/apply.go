package reconcile

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	ltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// apply runs a plan's steps in order (the plan is already in dependency order, deletes last and in
// reverse). A failed step is reported on its Change and joined into the returned error; the other
// steps still run, so that independent resources converge. Deleted alarms are batched, 100 names a
// DeleteAlarms call, after their filters are gone.
func (c *regionController) apply(ctx context.Context, plan Plan) ([]Change, error) {
	changes := make([]Change, 0, len(plan.Steps))
	var errs []error
	var alarmDeletes []int // indexes into changes
	// Filters whose alarm failed to be created are not written either: the alarm is what records a
	// filter, and an unrecorded filter in a foreign log group would be a conflict on the next pass.
	unrecorded := map[string]bool{}
	flush := func() {
		if len(alarmDeletes) > 0 {
			if err := c.deleteAlarms(ctx, changes, alarmDeletes); err != nil {
				errs = append(errs, err)
			}
			alarmDeletes = nil
		}
	}
	for _, s := range plan.Steps {
		ch := s.Change
		if ch.Kind != KindAlarm && ch.Kind != KindMetricFilter {
			flush() // deletes go in reverse dependency order: alarms before subscriptions and topics
		}
		if ctx.Err() != nil {
			ch.Err = ctx.Err()
			changes = append(changes, ch)
			continue
		}
		var err error
		switch ch.Action {
		case ActionCreate, ActionUpdate:
			if f, ok := s.Want.(*MetricFilter); ok && unrecorded[filterKey(f.LogGroup, f.Name)] {
				// A consequence of the alarm's error, already joined: report it on the line only.
				ch.Err = fmt.Errorf("put metric filter %s: skipped, its alarm was not written", s.Name)
				changes = append(changes, ch)
				continue
			}
			err = c.write(ctx, s)
			if a, ok := s.Want.(*Alarm); ok && err != nil && ch.Action == ActionCreate {
				if lg, n, ok := recordedFilter(a.Tags); ok {
					unrecorded[filterKey(lg, n)] = true
				}
			}
		case ActionDelete:
			if ch.Kind == KindAlarm {
				alarmDeletes = append(alarmDeletes, len(changes))
				changes = append(changes, ch)
				continue
			}
			err = c.remove(ctx, s)
		default: // noop and keep hold without a write; a conflict is never applied
			ch.Applied = ch.Action != ActionConflict
			changes = append(changes, ch)
			continue
		}
		if err != nil {
			ch.Err = err
			errs = append(errs, err)
		} else {
			ch.Applied = true
			if t, ok := s.Want.(*Trail); ok {
				ch.State = loggingState(t.Logging) // created or repaired: it logs now
			}
		}
		changes = append(changes, ch)
	}
	flush()
	if ctx.Err() != nil {
		errs = append(errs, ctx.Err())
	}
	return changes, errors.Join(errs...)
}

// write creates or updates one resource.
func (c *regionController) write(ctx context.Context, s Step) error {
	switch w := s.Want.(type) {
	case *LogGroup:
		return c.writeLogGroup(ctx, w, s)
	case *Trail:
		return c.writeTrail(ctx, w, s)
	case *Topic:
		return c.writeTopic(ctx, w, s)
	case *Subscription:
		_, err := c.clients.SNS.Subscribe(ctx, &sns.SubscribeInput{
			TopicArn: aws.String(w.TopicARN), Protocol: aws.String(w.Protocol), Endpoint: aws.String(w.Endpoint),
			ReturnSubscriptionArn: true,
		})
		if err != nil {
			return fmt.Errorf("subscribe %s: %w", s.ID, err)
		}
		return nil
	case *Alarm:
		return c.writeAlarm(ctx, w, s)
	case *MetricFilter:
		return c.writeFilter(ctx, w, s)
	}
	return fmt.Errorf("write %s: no desired resource in the plan", s.ID)
}

func (c *regionController) writeLogGroup(ctx context.Context, w *LogGroup, s Step) error {
	if s.Action == ActionCreate {
		_, err := c.clients.Logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(w.Name), Tags: w.Tags})
		if err != nil {
			return fmt.Errorf("create log group %s: %w", w.Name, err)
		}
		c.owners.put(KindLogGroup, w.Name, w.Tags)
		if w.RetentionInDays > 0 {
			return c.setRetention(ctx, w)
		}
		return nil
	}
	for _, f := range s.Changes {
		if f.Field == "retentionInDays" {
			if err := c.setRetention(ctx, w); err != nil {
				return err
			}
		}
	}
	if hasTags(s.Changes) {
		if _, err := c.clients.Logs.TagResource(ctx, &cloudwatchlogs.TagResourceInput{ResourceArn: aws.String(w.ARN), Tags: w.Tags}); err != nil {
			return fmt.Errorf("tag log group %s: %w", w.Name, err)
		}
		c.owners.put(KindLogGroup, w.Name, mergeTags(s.Got, w.Tags))
	}
	return nil
}

func (c *regionController) setRetention(ctx context.Context, w *LogGroup) error {
	if w.RetentionInDays == 0 {
		if _, err := c.clients.Logs.DeleteRetentionPolicy(ctx, &cloudwatchlogs.DeleteRetentionPolicyInput{LogGroupName: aws.String(w.Name)}); err != nil {
			return fmt.Errorf("delete retention policy of log group %s: %w", w.Name, err)
		}
		return nil
	}
	_, err := c.clients.Logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(w.Name), RetentionInDays: aws.Int32(w.RetentionInDays)})
	if err != nil {
		return fmt.Errorf("put retention policy of log group %s: %w", w.Name, err)
	}
	return nil
}

// writeTopic creates a topic with its name and tags only: CreateTopic is idempotent by name but
// fails when attributes differ from an existing topic's, so attributes follow, one
// SetTopicAttributes call each. Tags go with the create so that a crash cannot leave an untagged
// topic that the next pass would take for someone else's.
func (c *regionController) writeTopic(ctx context.Context, w *Topic, s Step) error {
	if s.Action == ActionCreate {
		_, err := c.clients.SNS.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(w.Name), Tags: snsTags(w.Tags)})
		if err != nil {
			return fmt.Errorf("create topic %s: %w", w.Name, err)
		}
		c.owners.put(KindTopic, w.Name, w.Tags)
		if w.DisplayName != "" {
			return c.setTopicAttribute(ctx, w, "DisplayName", w.DisplayName)
		}
		return nil
	}
	for _, f := range s.Changes {
		if f.Field == "displayName" {
			if err := c.setTopicAttribute(ctx, w, "DisplayName", w.DisplayName); err != nil {
				return err
			}
		}
	}
	if hasTags(s.Changes) {
		if _, err := c.clients.SNS.TagResource(ctx, &sns.TagResourceInput{ResourceArn: aws.String(w.ARN), Tags: snsTags(w.Tags)}); err != nil {
			return fmt.Errorf("tag topic %s: %w", w.Name, err)
		}
		c.owners.put(KindTopic, w.Name, mergeTags(s.Got, w.Tags))
	}
	return nil
}

func (c *regionController) setTopicAttribute(ctx context.Context, w *Topic, name, value string) error {
	_, err := c.clients.SNS.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{
		TopicArn: aws.String(w.ARN), AttributeName: aws.String(name), AttributeValue: aws.String(value),
	})
	if err != nil {
		return fmt.Errorf("set %s of topic %s: %w", name, w.Name, err)
	}
	return nil
}

// writeAlarm puts the alarm when a field other than a tag differs (PutMetricAlarm replaces the
// whole alarm), with its tags on create; on update tags need TagResource, because PutMetricAlarm
// ignores Tags for an existing alarm.
func (c *regionController) writeAlarm(ctx context.Context, w *Alarm, s Step) error {
	if s.Action == ActionCreate || !onlyTags(s.Changes) {
		in := &cloudwatch.PutMetricAlarmInput{
			AlarmName:               aws.String(w.Name),
			AlarmDescription:        nilIfEmpty(w.Description),
			Namespace:               aws.String(w.Namespace),
			MetricName:              aws.String(w.MetricName),
			Statistic:               cwtypes.Statistic(w.Statistic),
			Period:                  aws.Int32(w.Period),
			EvaluationPeriods:       aws.Int32(w.EvaluationPeriods),
			DatapointsToAlarm:       aws.Int32(w.DatapointsToAlarm),
			Threshold:               aws.Float64(w.Threshold),
			ComparisonOperator:      cwtypes.ComparisonOperator(w.Comparison),
			TreatMissingData:        aws.String(w.TreatMissingData),
			AlarmActions:            w.AlarmActions,
			OKActions:               w.OKActions,
			InsufficientDataActions: w.InsufficientDataActions,
			ActionsEnabled:          aws.Bool(w.ActionsEnabled),
		}
		if w.Unit != "" {
			in.Unit = cwtypes.StandardUnit(w.Unit)
		}
		if s.Action == ActionCreate {
			in.Tags = cwTags(w.Tags)
		}
		if _, err := c.clients.CloudWatch.PutMetricAlarm(ctx, in); err != nil {
			return fmt.Errorf("put metric alarm %s: %w", w.Name, err)
		}
		if s.Action == ActionCreate {
			c.owners.put(KindAlarm, w.Name, w.Tags)
			return nil
		}
	}
	if hasTags(s.Changes) {
		if _, err := c.clients.CloudWatch.TagResource(ctx, &cloudwatch.TagResourceInput{ResourceARN: aws.String(w.ARN), Tags: cwTags(w.Tags)}); err != nil {
			return fmt.Errorf("tag alarm %s: %w", w.Name, err)
		}
		c.owners.put(KindAlarm, w.Name, mergeTags(s.Got, w.Tags))
	}
	return nil
}

// writeFilter puts a metric filter; PutMetricFilter creates or replaces by name.
func (c *regionController) writeFilter(ctx context.Context, w *MetricFilter, s Step) error {
	t := ltypes.MetricTransformation{
		MetricName:      aws.String(w.MetricName),
		MetricNamespace: aws.String(w.Namespace),
		MetricValue:     aws.String(w.Value),
		DefaultValue:    w.DefaultValue,
	}
	if w.Unit != "" {
		t.Unit = ltypes.StandardUnit(w.Unit)
	}
	_, err := c.clients.Logs.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{
		LogGroupName:          aws.String(w.LogGroup),
		FilterName:            aws.String(w.Name),
		FilterPattern:         aws.String(w.Pattern),
		MetricTransformations: []ltypes.MetricTransformation{t},
	})
	if err != nil {
		return fmt.Errorf("put metric filter %s: %w", s.ID, err)
	}
	return nil
}

func nilIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

func cwTags(m map[string]string) []cwtypes.Tag {
	var out []cwtypes.Tag
	for _, k := range sortedKeys(m) {
		out = append(out, cwtypes.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return out
}

// mergeTags is what a resource's tags become after TagResource upserts want over got's.
func mergeTags(got any, want map[string]string) map[string]string {
	out := map[string]string{}
	var old map[string]string
	switch g := got.(type) {
	case *LogGroup:
		if g != nil {
			old = g.Tags
		}
	case *Topic:
		if g != nil {
			old = g.Tags
		}
	case *Alarm:
		if g != nil {
			old = g.Tags
		}
	case *Trail:
		if g != nil {
			old = g.Tags
		}
	}
	for k, v := range old {
		out[k] = v
	}
	for k, v := range want {
		out[k] = v
	}
	return out
}
