package reconcile

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// observe reads, and only reads, what exists of one Monitor's chain: every resource of a desired
// name and every resource the ownership cache says the Monitor owns. It reads in batches: alarms 100
// names a call, metric filters 50 a page per log group, the region's trails in one call (done once
// per pass, in pass.trails), then per trail its status and selectors, per topic its attributes and
// subscriptions. Errors of independent reads are joined; what was read is still returned.
func (c *Controller) observe(ctx context.Context, want State, p *pass) (Actual, error) {
	var got Actual
	var errs []error
	m := want.Monitor

	// Log groups: the desired one, the owned ones, and those holding a filter an owned alarm records.
	lgNames := keySet(c.owners.owned(m, KindLogGroup))
	if want.LogGroup != nil {
		lgNames[want.LogGroup.Name] = true
	}
	for _, name := range sortedKeys(lgNames) {
		lg, err := c.observeLogGroup(ctx, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if lg != nil {
			got.LogGroups = append(got.LogGroups, *lg)
		}
	}

	// Trails.
	trailNames := keySet(c.owners.owned(m, KindTrail))
	if want.Trail != nil {
		trailNames[want.Trail.Name] = true
	}
	for _, name := range sortedKeys(trailNames) {
		t, err := c.observeTrail(ctx, name, p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if t != nil {
			got.Trails = append(got.Trails, *t)
		}
	}

	// Topics, and the subscriptions of the desired ones (an unwanted topic is deleted whole).
	topicNames := keySet(c.owners.owned(m, KindTopic))
	wantTopic := map[string]bool{}
	for _, t := range want.Topics {
		topicNames[t.Name] = true
		wantTopic[t.Name] = true
	}
	for _, name := range sortedKeys(topicNames) {
		t, subs, err := c.observeTopic(ctx, name, wantTopic[name])
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if t != nil {
			got.Topics = append(got.Topics, *t)
			got.Subscriptions = append(got.Subscriptions, subs...)
		}
	}

	// Alarms, 100 names a call.
	alarmNames := keySet(c.owners.owned(m, KindAlarm))
	for _, a := range want.Alarms {
		alarmNames[a.Name] = true
	}
	alarms, err := c.observeAlarms(ctx, sortedKeys(alarmNames))
	if err != nil {
		errs = append(errs, err)
	}
	got.Alarms = alarms

	// Metric filters, per log group that can hold one of ours.
	filterGroups := map[string]bool{}
	for _, f := range want.Filters {
		filterGroups[f.LogGroup] = true
	}
	for _, a := range got.Alarms {
		if owner(a.Tags) == m {
			if lg, _, ok := recordedFilter(a.Tags); ok {
				filterGroups[lg] = true
			}
		}
	}
	for _, lg := range sortedKeys(filterGroups) {
		fs, err := p.filters(ctx, c, lg)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got.Filters = append(got.Filters, fs...)
	}
	return got, errors.Join(errs...)
}

// observeAlarms reads alarms by name, 100 names a call (DescribeAlarms' limit), and their ownership.
func (c *Controller) observeAlarms(ctx context.Context, names []string) ([]Alarm, error) {
	var out []Alarm
	found := map[string]bool{}
	for i := 0; i < len(names); i += 100 {
		batch := names[i:min(i+100, len(names))]
		in := &cloudwatch.DescribeAlarmsInput{AlarmNames: batch, MaxRecords: aws.Int32(100)}
		for {
			res, err := c.clients.CloudWatch.DescribeAlarms(ctx, in)
			if err != nil {
				return out, fmt.Errorf("describe alarms: %w", err)
			}
			for _, ma := range res.MetricAlarms {
				a := alarmFromAWS(ma)
				found[a.Name] = true
				out = append(out, a)
			}
			next := aws.ToString(res.NextToken)
			if next == "" || next == aws.ToString(in.NextToken) {
				break
			}
			in.NextToken = res.NextToken
		}
	}
	// Forget owned alarms that are gone; ask the tags of alarms seen for the first time.
	for _, n := range names {
		if !found[n] {
			c.owners.drop(KindAlarm, n)
		}
	}
	var errs []error
	for i := range out {
		if out[i].ARN == "" {
			out[i].ARN = c.env.alarmARN(out[i].Name)
		}
		tags, err := c.tagsOf(ctx, KindAlarm, out[i].Name, out[i].ARN)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out[i].Tags = tags
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, errors.Join(errs...)
}

// alarmFromAWS normalises an alarm as DescribeAlarms returns it: unset optional fields take AWS's
// defaults (DatapointsToAlarm = EvaluationPeriods, TreatMissingData = missing, actions enabled) and
// lists are sorted, so that a converged alarm diffs as unchanged.
func alarmFromAWS(ma cwtypes.MetricAlarm) Alarm {
	a := Alarm{
		Name:                    aws.ToString(ma.AlarmName),
		ARN:                     aws.ToString(ma.AlarmArn),
		Description:             aws.ToString(ma.AlarmDescription),
		Namespace:               aws.ToString(ma.Namespace),
		MetricName:              aws.ToString(ma.MetricName),
		Statistic:               string(ma.Statistic),
		Unit:                    string(ma.Unit),
		Period:                  aws.ToInt32(ma.Period),
		EvaluationPeriods:       aws.ToInt32(ma.EvaluationPeriods),
		DatapointsToAlarm:       aws.ToInt32(ma.DatapointsToAlarm),
		Threshold:               aws.ToFloat64(ma.Threshold),
		Comparison:              string(ma.ComparisonOperator),
		TreatMissingData:        aws.ToString(ma.TreatMissingData),
		AlarmActions:            sortedCopy(ma.AlarmActions),
		OKActions:               sortedCopy(ma.OKActions),
		InsufficientDataActions: sortedCopy(ma.InsufficientDataActions),
		ActionsEnabled:          ma.ActionsEnabled == nil || *ma.ActionsEnabled,
	}
	if a.Statistic == "" && ma.ExtendedStatistic != nil {
		a.Statistic = *ma.ExtendedStatistic
	}
	if a.Unit == "None" {
		a.Unit = ""
	}
	if a.DatapointsToAlarm == 0 {
		a.DatapointsToAlarm = a.EvaluationPeriods
	}
	if a.TreatMissingData == "" {
		a.TreatMissingData = "missing"
	}
	var dims []string
	for _, d := range ma.Dimensions {
		dims = append(dims, aws.ToString(d.Name)+"="+aws.ToString(d.Value))
	}
	sort.Strings(dims)
	a.Dimensions = strings.Join(dims, ",")
	return a
}

// observeLogGroup finds a log group by exact name: DescribeLogGroups takes only a prefix, which may
// match several groups (returned in name order).
func (c *Controller) observeLogGroup(ctx context.Context, name string) (*LogGroup, error) {
	in := &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(name), Limit: aws.Int32(50)}
	for {
		out, err := c.clients.Logs.DescribeLogGroups(ctx, in)
		if err != nil {
			if isNotFound(err) {
				break
			}
			return nil, fmt.Errorf("describe log group %s: %w", name, err)
		}
		for _, g := range out.LogGroups {
			if aws.ToString(g.LogGroupName) != name {
				continue
			}
			lg := &LogGroup{Name: name, ARN: aws.ToString(g.LogGroupArn), RetentionInDays: aws.ToInt32(g.RetentionInDays)}
			if lg.ARN == "" {
				lg.ARN = trimStar(aws.ToString(g.Arn))
			}
			if lg.ARN == "" {
				lg.ARN = c.env.logGroupARN(name)
			}
			tags, err := c.tagsOf(ctx, KindLogGroup, name, lg.ARN)
			if err != nil {
				return nil, err
			}
			lg.Tags = tags
			return lg, nil
		}
		next := aws.ToString(out.NextToken)
		if next == "" || next == aws.ToString(in.NextToken) {
			break
		}
		in.NextToken = out.NextToken
	}
	c.owners.drop(KindLogGroup, name)
	return nil, nil
}

// observeTopic reads a topic's attributes and, if wanted, its subscriptions; nil when it is gone.
func (c *Controller) observeTopic(ctx context.Context, name string, withSubs bool) (*Topic, []Subscription, error) {
	arn := c.env.topicARN(name)
	out, err := c.clients.SNS.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	if err != nil {
		if isNotFound(err) {
			c.owners.drop(KindTopic, name)
			return nil, nil, nil
		}
		return nil, nil, fmt.Errorf("get attributes of topic %s: %w", name, err)
	}
	t := &Topic{Name: name, ARN: arn, DisplayName: out.Attributes["DisplayName"]}
	if t.Tags, err = c.tagsOf(ctx, KindTopic, name, arn); err != nil {
		return nil, nil, err
	}
	if !withSubs {
		return t, nil, nil
	}
	var subs []Subscription
	in := &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(arn)}
	for {
		res, err := c.clients.SNS.ListSubscriptionsByTopic(ctx, in)
		if err != nil {
			return nil, nil, fmt.Errorf("list subscriptions of topic %s: %w", name, err)
		}
		for _, s := range res.Subscriptions {
			sarn := aws.ToString(s.SubscriptionArn)
			subs = append(subs, Subscription{
				Topic:    name,
				TopicARN: arn,
				Protocol: aws.ToString(s.Protocol),
				Endpoint: aws.ToString(s.Endpoint),
				ARN:      sarn,
				// ListSubscriptionsByTopic shows an unconfirmed subscription's ARN as the literal
				// "PendingConfirmation" (aws-api.md §0.9); Subscribe says "pending confirmation".
				Pending: !strings.HasPrefix(sarn, "arn:"),
			})
		}
		next := aws.ToString(res.NextToken)
		if next == "" || next == aws.ToString(in.NextToken) {
			break
		}
		in.NextToken = res.NextToken
	}
	return t, subs, nil
}

func keySet[V any](m map[string]V) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}
